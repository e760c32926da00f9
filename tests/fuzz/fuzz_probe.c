/*
 * libFuzzer harness: handshake result classification and the check report
 * (probe.c, check_report.c), fed with arbitrary observations: status,
 * lws error text, TLS verify code, headers a server sent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/check.h"
#include "wsdash/probe.h"
#include "wsdash/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
take(char *dst, size_t cap, const uint8_t **p, size_t *left)
{
	size_t n = *left ? (*p)[0] : 0;

	if (*left)
		(*p)++, (*left)--;
	if (n > *left)
		n = *left;
	sanitize_text(dst, cap, (const char *)*p, n, true);
	*p += n;
	*left -= n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct endpoint_cfg ep = {.name = "fuzz", .required = true};
	struct check_row row;
	struct check_style st = {0};
	struct config c;
	const uint8_t *p = data;
	size_t left = size;
	char err[64], *t;

	if (size < 8)
		return 0;
	memset(&row, 0, sizeof(row));
	row.obs.outcome = (enum probe_outcome)(1 + data[0] % 5);
	row.obs.http_status = (data[1] << 8 | data[2]) % 1000;
	row.obs.tls_error = data[3] % 80;
	row.obs.get_status = (int)(data[4] % 7) * 100 - 100;
	row.obs.tcp_connected = data[5] & 1;
	row.obs.via = data[5] & 2;
	row.obs.tls = data[5] & 4;
	row.obs.timeout_ms = data[6] * 100;
	p += 8;
	left -= 8;
	take(row.obs.error, sizeof(row.obs.error), &p, &left);
	take(row.obs.server, sizeof(row.obs.server), &p, &left);
	take(row.obs.location, sizeof(row.obs.location), &p, &left);
	take(row.obs.tls_reason, sizeof(row.obs.tls_reason), &p, &left);
	url_parse("ws://h:1/x", &ep.ws, err, sizeof(err));
	row.ep = &ep;
	check_finish_row(&row, data[7] & 1, data[7] & 2);
	if (row.cls >= PC_COUNT || strlen(row.detail) >= sizeof(row.detail))
		abort();
	st.utf8 = data[7] & 4;
	st.color = data[7] & 8;
	t = check_report_text(&row, 1, &st, 1.0);
	free(t);
	config_init(&c, NULL);
	t = check_report_json(&row, 1, &c, &st, 1.0);
	free(t);
	config_free(&c);
	return 0;
}
