/*
 * net: pieces every lws user in wsdash needs: one context with a client
 * vhost (TLS set up from the config), lws logging kept off the terminal,
 * and an fd limit that fits many connections.
 */
#ifndef WSDASH_NET_H
#define WSDASH_NET_H

#include <stdbool.h>
#include <stddef.h>

#include <libwebsockets.h>

#include "wsdash/config.h"
#include "wsdash/probe.h"
#include "wsdash/theap.h"

/*
 * Timers for thousands of connections: a theap (O(log n) per arm, move or
 * cancel) driven by one lws timer pointed at its earliest due time. lws
 * 4.1.6 keeps its own timers in a sorted list that every schedule walks:
 * one per connection made 10,000 deadlines quadratic.
 */
struct net_timers {
	struct theap heap;
	lws_sorted_usec_list_t sul;
	int64_t sul_at; /* where sul points; INT64_MAX: nowhere */
	struct lws_context *ctx;
	int batch; /* timers fired per pass at most (the loop breathes) */
};

void net_timers_init(struct net_timers *t, struct lws_context *ctx, int batch);

/* Arm tm to fire() at at_us (monotonic), or move it there. */
void net_timers_arm(struct net_timers *t, struct theap_timer *tm, int64_t at_us,
                    void (*fire)(struct theap_timer *tm));
void net_timers_cancel(struct net_timers *t, struct theap_timer *tm);

/* No more firing (the timers stay armed; arming again restarts it). */
void net_timers_stop(struct net_timers *t);

/*
 * Cancel the lws timer and free the heap (the timers are their owners':
 * none may be armed or cancelled afterwards). Before the context goes.
 */
void net_timers_done(struct net_timers *t);

/* Raise the soft RLIMIT_NOFILE to want (bounded by the hard limit). */
void net_raise_fd_limit(int want);

/*
 * lws logging: silent unless WSDASH_DEBUG is set in the environment, then
 * errors, warnings and notices go to stderr (or to log_path if not NULL).
 */
void net_set_logging(const char *log_path);

/*
 * A context (EXPLICIT_VHOSTS) and its client vhost, whose protocols[0]
 * receives TLS verification callbacks. With tls, the client gets an SSL_CTX
 * that trusts cacert or else the system CA bundle (loading the bundle costs
 * tens of milliseconds, so plain ws:// runs skip it). timeout_ms sizes lws's
 * own handshake timeouts so that ours fire first. Returns NULL with a reason
 * in err.
 */
struct lws_context *net_context_new(const struct lws_protocols *protocols,
                                    bool tls, const char *cacert,
                                    int timeout_ms,
                                    struct lws_vhost **client_vh, char *err,
                                    size_t errlen);

/*
 * One more client vhost named name on ctx, with protocols (protocols[0] gets
 * its callbacks; TLS verification still goes to the context's first vhost,
 * see net_context_new) and TLS as there. Returns NULL with a reason in err.
 */
struct lws_vhost *net_client_vhost(struct lws_context *ctx,
                                   const struct lws_protocols *protocols,
                                   const char *name, bool tls,
                                   const char *cacert, int timeout_ms,
                                   char *err, size_t errlen);

/*
 * TCP_NODELAY on a connection: small frames (pings, pongs, updates) must
 * not wait for Nagle and delayed ACKs (40 ms on Linux).
 */
void net_nodelay(struct lws *wsi);
void net_nodelay_fd(int fd);

/*
 * Fill i (zeroed first) for a client connection to u on (ctx, vh) with the
 * config's Origin and TLS settings (redirects never followed; --insecure
 * allows self-signed, expired and misnamed certificates). ip is the numeric
 * address to connect to (resolved by us: lws would resolve with a blocking
 * getaddrinfo()); the Host header, SNI and the certificate check keep u's
 * name. host is a buffer for the Host header that must outlive the connect
 * call. The caller adds opaque data, method or subprotocol.
 */
void net_client_info(struct lws_client_connect_info *i, struct lws_context *ctx,
                     struct lws_vhost *vh, const struct config *c,
                     const struct url *u, const char *ip,
                     const char *protocol_name, char *host, size_t hostlen);

/* Write a text frame (one lws_write, in WRITEABLE). -1 on failure. */
int net_write_text(struct lws *wsi, const char *text, size_t n);

/* lws's per-thread service buffer (pt_serv_buf_size): one read takes many
 * small frames; check -v finds the request it wrote inside it. */
#define NET_SERV_BUF (64 * 1024)

/* Headers of an HTTP answer we accept (a 101 behind a load balancer with
 * session cookies easily passes lws's 4 KiB default). */
#define NET_MAX_HEADER_BYTES (PROBE_MAX_HEADER_KIB * 1024)

/* Whether wsi's socket has a connected peer (TCP is up). */
bool net_tcp_connected(struct lws *wsi);

/* Host header value for u: "host", "host:port", "[v6]:port". */

void net_host_header(const struct url *u, char *out, size_t len);

/*
 * For LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: add the config's headers
 * and then the endpoint's (which win by coming later). in/len are the
 * callback's. Returns -1 if out of room.
 */
int net_append_headers(struct lws *wsi, const struct config *c,
                       const struct endpoint_cfg *ep, void *in, size_t len);

/*
 * For LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION (user is the
 * X509_STORE_CTX, len is preverify_ok): record the first verify error into
 * *code and reason. Returns the value the callback should return (0: keep
 * OpenSSL's verdict).
 */
int net_tls_verdict(void *x509_ctx, size_t preverify_ok, int *code,
                    char *reason, size_t reason_len);

#endif
