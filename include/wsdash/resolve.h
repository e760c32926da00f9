/*
 * resolve: host names to addresses without ever blocking the event loop.
 *
 * lws 4.1.6 resolves with a blocking getaddrinfo() on every connect, so
 * one name whose DNS never answers froze every endpoint, the clock and the
 * keys. Here lookups run with glibc's getaddrinfo_a(); when one finishes,
 * a process-wide eventfd becomes readable (the loop adopts it, see
 * resolver_wake_fd()), the loop collects the answers and connects to the
 * numeric address, keeping the name for Host, SNI and certificate checks.
 *
 * getaddrinfo() tells no TTL: answers are kept RESOLVE_TTL_MS, failures
 * RESOLVE_NEG_TTL_MS (resolver_forget drops one early). Every address of a name
 * is kept (up to RESOLVE_MAX_ADDRS), in getaddrinfo's order, so a caller whose
 * connection to the first is refused can try the next (localhost is often ::1
 * first, while the server listens on 127.0.0.1 only).
 */
#ifndef WSDASH_RESOLVE_H
#define WSDASH_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESOLVE_TTL_MS     30000
#define RESOLVE_NEG_TTL_MS 5000
#define RESOLVE_MAX_ADDRS  8
#define RESOLVE_ADDR_MAX   48   /* an IPv6 address as text, and its NUL */
#define RESOLVE_MAX_NAMES  4096 /* cached names; more are resolved, not kept */

enum resolve_state {
	RESOLVE_OK,      /* addr holds the idx-th address */
	RESOLVE_PENDING, /* a lookup is under way: ask again after collect */
	RESOLVE_FAILED,  /* the name does not resolve: err says why */
	RESOLVE_END,     /* no idx-th address (the others were tried) */
};

struct resolver;

/* A resolver with an empty cache, or NULL (out of memory / no eventfd). */
struct resolver *resolver_new(void);

/*
 * Free it. Lookups still under way are cancelled; one that glibc cannot
 * cancel any more keeps its memory (held where leak checkers see it).
 */
void resolver_free(struct resolver *r);

/*
 * The descriptor that becomes readable when a lookup finishes (shared by
 * every resolver of the process and never closed: adopt a dup of it).
 * Reading it resets it.
 */
int resolver_wake_fd(void);

/*
 * The idx-th address of host (an IP literal is its own only address), from
 * the cache or from a lookup started now. With RESOLVE_FAILED, err holds
 * the resolver's reason ("Name or service not known").
 */
enum resolve_state resolver_get(struct resolver *r, const char *host,
                                unsigned idx, int64_t now_us, char *addr,
                                size_t addrlen, char *err, size_t errlen);

/*
 * Take in the lookups that finished (call when the wake descriptor was
 * readable, after draining it). Returns how many finished.
 */
int resolver_collect(struct resolver *r, int64_t now_us);

/* Lookups under way. */
size_t resolver_pending(const struct resolver *r);

/* Forget host's cached answer (a connection to it failed). */
void resolver_forget(struct resolver *r, const char *host);

/* Whether s is an IPv4 or IPv6 literal. */
bool resolver_is_numeric(const char *s);

#endif
