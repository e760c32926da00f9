/*
 * serve.c: `wsdash serve`, the demo backend as a process. Owns the lws
 * context and the event loop; SIGINT/SIGTERM only set a flag and wake the
 * loop, which then closes the sockets the way the flavor's backend does
 * (tac: 1012 to each, as uvicorn does) and tears everything down in order.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <libwebsockets.h>

#include "wsdash/cli.h"
#include "wsdash/serve.h"
#include "demo_server.h"
#include "net.h"

#define SHUTDOWN_GRACE_US (2 * LWS_US_PER_SEC) /* for the close handshakes */

static volatile sig_atomic_t serve_stop;
static struct lws_context *volatile serve_ctx;

/* Only wakes the loop. */
static void
serve_wake(lws_sorted_usec_list_t *sul)
{
	(void)sul;
}

/*
 * Close every WebSocket as the flavor's backend does on shutdown and let
 * the close handshakes run, for SHUTDOWN_GRACE_US at most. lws 4.1.6 runs
 * the timers already due before it polls and then polls with no timeout if
 * none is left, so a second wake-up stays pending behind the first.
 */
static void
serve_drain(struct lws_context *ctx, struct demo_server *srv)
{
	lws_sorted_usec_list_t wake, guard;
	lws_usec_t end = lws_now_usecs() + SHUTDOWN_GRACE_US;

	if (demo_server_shutdown(srv) == 0)
		return;
	memset(&wake, 0, sizeof(wake));
	memset(&guard, 0, sizeof(guard));
	lws_sul_schedule(ctx, 0, &wake, serve_wake, SHUTDOWN_GRACE_US);
	lws_sul_schedule(ctx, 0, &guard, serve_wake,
	                 SHUTDOWN_GRACE_US + 100 * LWS_US_PER_MS);
	while (demo_server_open_sockets(srv) > 0 && lws_now_usecs() < end)
		if (lws_service(ctx, 0) < 0)
			break;
	lws_sul_cancel(&wake);
	lws_sul_cancel(&guard);
}

/* SIGINT/SIGTERM: ask the loop to stop, and wake it. */
static void
serve_on_signal(int sig)
{
	(void)sig;
	serve_stop = 1;
	if (serve_ctx != NULL)
		lws_cancel_service(serve_ctx);
}

int
serve_run(const struct serve_opts *o)
{
	struct lws_context_creation_info info;
	struct sigaction sa;
	struct demo_server *srv;
	struct lws_context *ctx;
	char err[256];

	net_raise_fd_limit(8192);
	lws_set_log_level(LLL_ERR, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
	               LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	ctx = lws_create_context(&info);
	if (ctx == NULL) {
		fprintf(stderr,
		        "wsdash serve: cannot create the lws context\n");
		return 1;
	}
	srv = demo_server_new(ctx, o, stdout, err, sizeof(err));
	if (srv == NULL) {
		cli_error("serve", "%s", err);
		lws_context_destroy(ctx);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = serve_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	serve_ctx = ctx;

	if (strchr(demo_server_bind(srv), ':') != NULL)
		printf("listening on [%s]:%d\n", demo_server_bind(srv),
		       demo_server_port(srv));
	else
		printf("listening on %s:%d\n", demo_server_bind(srv),
		       demo_server_port(srv));
	printf("scenario %s, seed %llu, rate %g Hz%s%s\n",
	       scenario_mode_name(o->scenario),
	       (unsigned long long)demo_server_seed(srv), o->rate,
	       o->flavor == SERVE_FLAVOR_DEMO ? "" : ", flavor ",
	       o->flavor == SERVE_FLAVOR_DEMO ? ""
	                                      : serve_flavor_name(o->flavor));

	while (!serve_stop)
		if (lws_service(ctx, 0) < 0)
			break;

	serve_drain(ctx, srv);
	serve_ctx = NULL;
	lws_context_destroy(ctx);
	demo_server_free(srv);
	return 0;
}
