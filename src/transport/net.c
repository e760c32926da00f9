/*
 * net.c: shared lws set-up for the check, the watcher and the demo; see
 * net.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "wsdash/clock.h"
#include "net.h"

/* Debian's CA bundle; lws 4.1.6 otherwise looks in /etc/pki/tls/certs/. */
#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

static FILE *net_log_file;

void
net_raise_fd_limit(int want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= (rlim_t)want)
		return;
	rl.rlim_cur = rl.rlim_max < (rlim_t)want ? rl.rlim_max : (rlim_t)want;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void
net_log_emit(int level, const char *line)
{
	(void)level;
	if (net_log_file != NULL) {
		fputs(line, net_log_file);
		fflush(net_log_file);
	}
}

void
net_set_logging(const char *log_path)
{
	if (getenv("WSDASH_DEBUG") == NULL) {
		lws_set_log_level(0, NULL);
		return;
	}
	net_log_file = log_path ? fopen(log_path, "a") : stderr;
	lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, net_log_emit);
}

struct lws_context *
net_context_new(const struct lws_protocols *protocols, bool tls,
                const char *cacert, int timeout_ms,
                struct lws_vhost **client_vh, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct lws_context *ctx;
	int secs = timeout_ms / 1000 + 2;

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
	               LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.timeout_secs = (unsigned)secs;
	/* one read takes many small frames: fewer syscalls in a flood */
	info.pt_serv_buf_size = NET_SERV_BUF;
	info.max_http_header_data2 = NET_MAX_HEADER_BYTES;
	ctx = lws_create_context(&info);
	if (ctx == NULL) {
		snprintf(err, errlen, "cannot create the lws context");
		return NULL;
	}

	*client_vh = net_client_vhost(ctx, protocols, "wsdash-client", tls,
	                              cacert, timeout_ms, err, errlen);
	if (*client_vh == NULL) {
		lws_context_destroy(ctx);
		return NULL;
	}
	return ctx;
}

struct lws_vhost *
net_client_vhost(struct lws_context *ctx, const struct lws_protocols *protocols,
                 const char *name, bool tls, const char *cacert, int timeout_ms,
                 char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct lws_vhost *vh;
	int secs = timeout_ms / 1000 + 2;

	memset(&info, 0, sizeof(info));
	info.vhost_name = name;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.connect_timeout_secs = (unsigned)secs;
	info.timeout_secs = (unsigned)secs;
	if (tls) {
		info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		if (cacert != NULL)
			info.client_ssl_ca_filepath = cacert;
		else if (access(SYSTEM_CA_BUNDLE, R_OK) == 0)
			info.client_ssl_ca_filepath = SYSTEM_CA_BUNDLE;
	}
	vh = lws_create_vhost(ctx, &info);
	if (vh == NULL)
		snprintf(err, errlen, "cannot set up TLS%s%s",
		         cacert ? " with " : "", cacert ? cacert : "");
	return vh;
}

void
net_host_header(const struct url *u, char *out, size_t len)
{
	bool dflt = u->port == (u->tls ? 443 : 80);

	if (u->ipv6)
		snprintf(out, len, dflt ? "[%s]" : "[%s]:%d", u->host, u->port);
	else if (dflt)
		snprintf(out, len, "%s", u->host);
	else
		snprintf(out, len, "%s:%d", u->host, u->port);
}

/* Append each of h (n) as "Name: value". */
static int
append_list(struct lws *wsi, const struct header *h, size_t n,
            unsigned char **p, unsigned char *end)
{
	char name[128];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s:", h[i].name);
		if (lws_add_http_header_by_name(
		        wsi, (const unsigned char *)name,
		        (const unsigned char *)h[i].value,
		        (int)strlen(h[i].value), p, end))
			return -1;
	}
	return 0;
}

int
net_append_headers(struct lws *wsi, const struct config *c,
                   const struct endpoint_cfg *ep, void *in, size_t len)
{
	unsigned char **p = (unsigned char **)in, *end = *p + len;

	return append_list(wsi, c->headers, c->nheaders, p, end) ||
	               append_list(wsi, ep->headers, ep->nheaders, p, end)
	           ? -1
	           : 0;
}

int
net_tls_verdict(void *x509_ctx, size_t preverify_ok, int *code, char *reason,
                size_t reason_len)
{
	if (preverify_ok == 0 && *code == 0) {
		*code = X509_STORE_CTX_get_error((X509_STORE_CTX *)x509_ctx);
		snprintf(reason, reason_len, "%s",
		         X509_verify_cert_error_string(*code));
	}
	return 0;
}

void
net_nodelay_fd(int fd)
{
	int one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void
net_nodelay(struct lws *wsi)
{
	net_nodelay_fd((int)lws_get_socket_fd(wsi));
}

void
net_client_info(struct lws_client_connect_info *i, struct lws_context *ctx,
                struct lws_vhost *vh, const struct config *c,
                const struct url *u, const char *ip, const char *protocol_name,
                char *host, size_t hostlen)
{
	net_host_header(u, host, hostlen);
	memset(i, 0, sizeof(*i));
	i->context = ctx;
	i->vhost = vh;
	i->address = ip;
	i->port = u->port;
	i->path = u->path;
	i->host = host;
	i->origin = c->origin;
	i->local_protocol_name = protocol_name;
	i->ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
	if (u->tls) {
		i->ssl_connection |= LCCSCF_USE_SSL;
		if (c->insecure)
			i->ssl_connection |=
			    LCCSCF_ALLOW_SELFSIGNED |
			    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
			    LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
	}
}

bool
net_tcp_connected(struct lws *wsi)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	int fd = wsi ? (int)lws_get_socket_fd(wsi) : -1;

	return fd >= 0 && getpeername(fd, (struct sockaddr *)&peer, &len) == 0;
}

int
net_write_text(struct lws *wsi, const char *text, size_t n)
{
	unsigned char *buf = malloc(LWS_PRE + n + 1);
	int r;

	if (buf == NULL)
		return -1;
	memcpy(buf + LWS_PRE, text, n);
	r = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT);
	free(buf);
	return r < (int)n ? -1 : 0;
}

/* ---- timers -------------------------------------------------------------- */

static void net_timers_fire(lws_sorted_usec_list_t *sul);

/*
 * Point the lws timer at the heap's earliest due time (when that is sooner
 * than where it points). At least 1 us ahead: lws runs a timer scheduled
 * for "now" within the same pass, and the loop must get to its stop flag
 * between batches.
 */
static void
net_timers_sync(struct net_timers *t)
{
	struct theap_timer *first = theap_peek(&t->heap);
	int64_t delay;

	if (first == NULL || first->at_us >= t->sul_at)
		return;
	t->sul_at = first->at_us;
	delay = first->at_us - clock_mono_us();
	lws_sul_schedule(t->ctx, 0, &t->sul, net_timers_fire,
	                 delay > 0 ? delay : 1);
}

static void
net_timers_fire(lws_sorted_usec_list_t *sul)
{
	struct net_timers *t = lws_container_of(sul, struct net_timers, sul);
	int64_t now = clock_mono_us();
	struct theap_timer *tm;
	int n = 0;

	t->sul_at = INT64_MAX;
	while (n++ < t->batch && (tm = theap_pop_due(&t->heap, now)) != NULL)
		tm->fire(tm);
	net_timers_sync(t);
}

void
net_timers_init(struct net_timers *t, struct lws_context *ctx, int batch)
{
	memset(t, 0, sizeof(*t));
	theap_init(&t->heap);
	t->sul_at = INT64_MAX;
	t->ctx = ctx;
	t->batch = batch > 0 ? batch : 1;
}

void
net_timers_arm(struct net_timers *t, struct theap_timer *tm, int64_t at_us,
               void (*fire)(struct theap_timer *tm))
{
	theap_arm(&t->heap, tm, at_us, fire);
	net_timers_sync(t);
}

void
net_timers_cancel(struct net_timers *t, struct theap_timer *tm)
{
	theap_cancel(&t->heap, tm);
}

void
net_timers_stop(struct net_timers *t)
{
	lws_sul_cancel(&t->sul);
	t->sul_at = INT64_MAX;
}

void
net_timers_done(struct net_timers *t)
{
	lws_sul_cancel(&t->sul);
	theap_done(&t->heap);
}
