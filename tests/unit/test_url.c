/* URL parsing: the forms users type, and the ones rejected with a reason. */
#include <criterion/criterion.h>
#include <string.h>

#include "wsdash/url.h"

Test(url, ws_with_port_path_and_query)
{
	struct url u;
	char err[128], out[256];

	cr_assert(url_parse("ws://localhost:8000/ws/workflows?x=1#frag", &u,
	                    err, sizeof(err)),
	          "%s", err);
	cr_assert_eq(u.scheme, URL_WS);
	cr_assert_not(u.tls);
	cr_assert_str_eq(u.host, "localhost");
	cr_assert_eq(u.port, 8000);
	cr_assert_str_eq(u.path, "/ws/workflows?x=1");
	url_format(&u, out, sizeof(out));
	cr_assert_str_eq(out, "ws://localhost:8000/ws/workflows?x=1");
	url_hostport(&u, out, sizeof(out));
	cr_assert_str_eq(out, "localhost:8000");
}

Test(url, defaults_and_ipv6)
{
	struct url u;
	char err[128], out[256];

	cr_assert(url_parse("WSS://example.com", &u, err, sizeof(err)));
	cr_assert(u.tls);
	cr_assert_eq(u.port, 443);
	cr_assert_str_eq(u.path, "/");
	url_format(&u, out, sizeof(out));
	cr_assert_str_eq(out, "wss://example.com/");

	cr_assert(url_parse("ws://[::1]:9000/ws", &u, err, sizeof(err)));
	cr_assert(u.ipv6);
	cr_assert_str_eq(u.host, "::1");
	url_format(&u, out, sizeof(out));
	cr_assert_str_eq(out, "ws://[::1]:9000/ws");
	cr_assert(url_parse("http://h?q", &u, err, sizeof(err)));
	cr_assert_str_eq(u.path, "/?q");
	cr_assert_eq(u.port, 80);
}

Test(url, rejects_with_reasons)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
	    {"", "empty"},
	    {"localhost:8000/ws", "missing scheme"},
	    {"ftp://h/x", "unsupported scheme 'ftp'"},
	    {"ws://user:pw@h/x", "credentials"},
	    {"ws:///x", "missing host"},
	    {"ws://h:0/x", "out of range"},
	    {"ws://h:65536/x", "out of range"},
	    {"ws://h:80a/x", "bad port"},
	    {"ws://h:/x", "missing port"},
	    {"ws://h x/", "space or control"},
	    {"ws://h/\x1b[2J", "space or control"},
	    {"ws://[::1/x", "unterminated"},
	    {"ws://[zz]/x", "bad IPv6"},
	    {"ws://h%41/x", "bad character"},
	};
	struct url u;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_not(url_parse(bad[i].in, &u, err, sizeof(err)),
		              "'%s' accepted", bad[i].in);
		cr_assert(strstr(err, bad[i].why), "'%s': '%s'", bad[i].in,
		          err);
	}
}

Test(url, with_switches_scheme_keeping_tls)
{
	struct url a, b;
	char err[128], out[256];

	cr_assert(url_parse("https://h:8443/app", &a, err, sizeof(err)));
	cr_assert(url_with(&a, true, "/ws/x", &b));
	url_format(&b, out, sizeof(out));
	cr_assert_str_eq(out, "wss://h:8443/ws/x");
	cr_assert_not(url_with(&a, true, "no-slash", &b));
}
