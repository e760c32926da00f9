/*
 * resolve.c: asynchronous, cached name resolution; see resolve.h.
 *
 * Each name has one cache entry (a chained hash table). A lookup is one
 * getaddrinfo_a() request of its own whose completion runs on_done() in a
 * glibc thread; all that thread does is bump the process-wide eventfd. The
 * loop then calls resolver_collect(), which reads the results with
 * gai_error() (non-blocking) and frees what glibc no longer touches.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wsdash/resolve.h"

#define BUCKETS 1024

/* One getaddrinfo_a() request; glibc holds pointers into it. */
struct req {
	struct gaicb cb;
	struct addrinfo hints;
	char *name;
	struct req *next; /* the graveyard */
};

struct entry {
	char *name;
	enum resolve_state state; /* OK, PENDING or FAILED */
	int64_t expires_us;
	int naddr;
	char addr[RESOLVE_MAX_ADDRS][RESOLVE_ADDR_MAX];
	char err[96];
	struct req *req; /* while PENDING */
	struct entry *next;
};

struct resolver {
	struct entry *bucket[BUCKETS];
	size_t nentries, npending;
	size_t evict_cursor;
};

static int wake_fd = -1;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;
/*
 * Requests glibc could not cancel when their resolver was freed: it may
 * still write into them, so they are never freed (and stay reachable, so
 * a leak checker does not count them).
 */
static struct req *graveyard;
static pthread_mutex_t graveyard_lock = PTHREAD_MUTEX_INITIALIZER;

static void
wake_init(void)
{
	wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int
resolver_wake_fd(void)
{
	pthread_once(&wake_once, wake_init);
	return wake_fd;
}

/* Runs in a glibc thread when a lookup finished. */
static void
on_done(union sigval v)
{
	uint64_t one = 1;

	(void)v;
	if (write(wake_fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the loop is awake anyway */
	}
}

bool
resolver_is_numeric(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, s, buf) == 1 ||
	       inet_pton(AF_INET6, s, buf) == 1;
}

struct resolver *
resolver_new(void)
{
	if (resolver_wake_fd() < 0)
		return NULL;
	return calloc(1, sizeof(struct resolver));
}

static size_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % BUCKETS;
}

static struct entry *
find(struct resolver *r, const char *name)
{
	for (struct entry *e = r->bucket[hash(name)]; e; e = e->next)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void
req_free(struct req *q)
{
	if (q->cb.ar_result != NULL)
		freeaddrinfo(q->cb.ar_result);
	free(q->name);
	free(q);
}

/* Give up on a pending request: free it, or bury it if glibc holds it. */
static void
req_drop(struct req *q)
{
	if (gai_error(&q->cb) == EAI_INPROGRESS &&
	    gai_cancel(&q->cb) != EAI_CANCELED) {
		pthread_mutex_lock(&graveyard_lock);
		q->next = graveyard;
		graveyard = q;
		pthread_mutex_unlock(&graveyard_lock);
		return;
	}
	req_free(q);
}

static void
entry_free(struct entry *e)
{
	if (e->req != NULL)
		req_drop(e->req);
	free(e->name);
	free(e);
}

void
resolver_free(struct resolver *r)
{
	if (r == NULL)
		return;
	for (size_t b = 0; b < BUCKETS; b++) {
		struct entry *e = r->bucket[b], *next;

		for (; e; e = next) {
			next = e->next;
			entry_free(e);
		}
	}
	free(r);
}

/* Unlink and free e (not pending). */
static void
entry_remove(struct resolver *r, struct entry *e)
{
	struct entry **pp = &r->bucket[hash(e->name)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	r->nentries--;
	entry_free(e);
}

/* Make room for one more name: drop some entry that is not pending. */
static bool
evict_one(struct resolver *r)
{
	for (size_t k = 0; k < BUCKETS; k++) {
		size_t b = (r->evict_cursor + k) % BUCKETS;

		for (struct entry *e = r->bucket[b]; e; e = e->next)
			if (e->state != RESOLVE_PENDING) {
				r->evict_cursor = b + 1;
				entry_remove(r, e);
				return true;
			}
	}
	return false;
}

/* Start a lookup for e. */
static void
start(struct resolver *r, struct entry *e)
{
	struct req *q = calloc(1, sizeof(*q));
	struct gaicb *list[1];
	struct sigevent sev;
	int rc;

	e->state = RESOLVE_FAILED;
	e->naddr = 0;
	if (q == NULL || (q->name = strdup(e->name)) == NULL) {
		free(q);
		snprintf(e->err, sizeof(e->err), "out of memory");
		return;
	}
	q->hints.ai_socktype = SOCK_STREAM;
	q->cb.ar_name = q->name;
	q->cb.ar_request = &q->hints;
	list[0] = &q->cb;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = on_done;
	rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
	if (rc != 0) {
		snprintf(e->err, sizeof(e->err), "%s", gai_strerror(rc));
		req_free(q);
		return;
	}
	e->state = RESOLVE_PENDING;
	e->req = q;
	r->npending++;
}

/* Copy the results of a finished request into e. */
static void
finish(struct resolver *r, struct entry *e, int rc, int64_t now_us)
{
	struct req *q = e->req;

	e->req = NULL;
	r->npending--;
	e->naddr = 0;
	if (rc == 0) {
		for (struct addrinfo *a = q->cb.ar_result;
		     a && e->naddr < RESOLVE_MAX_ADDRS; a = a->ai_next) {
			const void *ip =
			    a->ai_family == AF_INET6
			        ? (const void *)&(
			              (struct sockaddr_in6 *)a->ai_addr)
			              ->sin6_addr
			        : (const void *)&(
			              (struct sockaddr_in *)a->ai_addr)
			              ->sin_addr;
			char txt[RESOLVE_ADDR_MAX];
			bool dup = false;

			if ((a->ai_family != AF_INET &&
			     a->ai_family != AF_INET6) ||
			    inet_ntop(a->ai_family, ip, txt, sizeof(txt)) ==
			        NULL)
				continue;
			for (int k = 0; k < e->naddr && !dup; k++)
				dup = strcmp(e->addr[k], txt) == 0;
			if (!dup)
				memcpy(e->addr[e->naddr++], txt, sizeof(txt));
		}
	}
	if (e->naddr > 0) {
		e->state = RESOLVE_OK;
		e->expires_us = now_us + (int64_t)RESOLVE_TTL_MS * 1000;
	} else {
		e->state = RESOLVE_FAILED;
		e->expires_us = now_us + (int64_t)RESOLVE_NEG_TTL_MS * 1000;
		snprintf(e->err, sizeof(e->err), "%s",
		         rc == 0 ? "no IPv4 or IPv6 address"
		                 : gai_strerror(rc));
	}
	req_free(q);
}

int
resolver_collect(struct resolver *r, int64_t now_us)
{
	int done = 0;

	if (r->npending == 0)
		return 0;
	for (size_t b = 0; b < BUCKETS && r->npending > 0; b++)
		for (struct entry *e = r->bucket[b]; e; e = e->next) {
			int rc;

			if (e->state != RESOLVE_PENDING)
				continue;
			rc = gai_error(&e->req->cb);
			if (rc == EAI_INPROGRESS)
				continue;
			finish(r, e, rc, now_us);
			done++;
		}
	return done;
}

size_t
resolver_pending(const struct resolver *r)
{
	return r->npending;
}

void
resolver_forget(struct resolver *r, const char *host)
{
	struct entry *e = find(r, host);

	if (e != NULL && e->state != RESOLVE_PENDING)
		e->expires_us = 0;
}

enum resolve_state
resolver_get(struct resolver *r, const char *host, unsigned idx, int64_t now_us,
             char *addr, size_t addrlen, char *err, size_t errlen)
{
	struct entry *e;

	if (resolver_is_numeric(host)) {
		if (idx > 0)
			return RESOLVE_END;
		snprintf(addr, addrlen, "%s", host);
		return RESOLVE_OK;
	}
	e = find(r, host);
	if (e == NULL) {
		if (r->nentries >= RESOLVE_MAX_NAMES && !evict_one(r)) {
			snprintf(err, errlen, "too many names being resolved");
			return RESOLVE_FAILED;
		}
		e = calloc(1, sizeof(*e));
		if (e == NULL || (e->name = strdup(host)) == NULL) {
			free(e);
			snprintf(err, errlen, "out of memory");
			return RESOLVE_FAILED;
		}
		e->next = r->bucket[hash(host)];
		r->bucket[hash(host)] = e;
		r->nentries++;
		start(r, e);
	} else if (e->state != RESOLVE_PENDING && now_us >= e->expires_us) {
		start(r, e);
	}
	switch (e->state) {
	case RESOLVE_PENDING:
		return RESOLVE_PENDING;
	case RESOLVE_OK:
		if (idx >= (unsigned)e->naddr)
			return RESOLVE_END;
		snprintf(addr, addrlen, "%s", e->addr[idx]);
		return RESOLVE_OK;
	default:
		snprintf(err, errlen, "%s", e->err);
		return RESOLVE_FAILED;
	}
}
