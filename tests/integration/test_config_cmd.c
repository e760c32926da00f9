/*
 * `wsdash config`: which file is found (--config, $WSDASH_CONFIG,
 * ./wsdash.json, $XDG_CONFIG_HOME/wsdash/config.json, first wins), where
 * each value comes from, --json, and --init writing a starter for a real
 * server (the demo backend in both flavors) that never overwrites a file.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "proc.h"

static char out[65536], err[8192], dir[256];

/* A fresh directory to run in, with no config anywhere else. */
static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/wsdash-config-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	setenv("XDG_CONFIG_HOME", dir, 1);
	setenv("HOME", dir, 1);
	unsetenv("WSDASH_CONFIG");
	unsetenv("BACKEND_PORT");
}

static void
teardown(void)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* A config file whose only setting is timeout_ms = ms. */
static void
write_timeout(const char *path, int ms)
{
	char text[128];

	snprintf(text, sizeof(text), "{\"defaults\": {\"timeout_ms\": %d}}\n",
	         ms);
	write_file(path, text);
}

/* `wsdash config --json ARGS...`, parsed. */
static cJSON *
config_json(const char *first, ...)
{
	const char *argv[32] = {"config", "--json"};
	int n = 2;
	va_list ap;
	cJSON *d;

	va_start(ap, first);
	for (const char *a = first; a != NULL && n < 30;
	     a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	cr_assert_eq(
	    run_wsdash(argv, out, sizeof(out), err, sizeof(err), 20000), 0,
	    "%s%s", out, err);
	d = cJSON_Parse(out);
	cr_assert_not_null(d, "not JSON: %s", out);
	return d;
}

static double
dnum(const cJSON *d, const char *key)
{
	const cJSON *e =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(d, "defaults"), key);

	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(e, "value")), "%s", key);
	return cJSON_GetObjectItem(e, "value")->valuedouble;
}

static const char *
dsrc(const cJSON *d, const char *key)
{
	const cJSON *o = cJSON_GetObjectItem(d, "defaults");
	const cJSON *e = cJSON_GetObjectItem(o, key);

	if (e == NULL) /* server sits at the top */
		e = cJSON_GetObjectItem(d, key);
	return cJSON_GetObjectItem(e, "source")->valuestring;
}

static const char *
found(const cJSON *d)
{
	const cJSON *f = cJSON_GetObjectItem(d, "found");

	return cJSON_IsString(f) ? f->valuestring : "(none)";
}

Test(config_cmd, discovery_first_found_wins, .init = setup, .fini = teardown)
{
	char path[512];
	cJSON *d;

	/* nothing anywhere: built in */
	d = config_json(NULL);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(d, "config_file")));
	cr_assert_eq(dnum(d, "timeout_ms"), 3000);
	cr_assert_str_eq(dsrc(d, "timeout_ms"), "built in");
	cJSON_Delete(d);

	/* each place in turn, the more specific one winning */
	snprintf(path, sizeof(path), "%s/wsdash", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/wsdash/config.json", dir);
	write_timeout(path, 1111);
	d = config_json(NULL);
	cr_assert_eq(dnum(d, "timeout_ms"), 1111, "%s", out);
	cr_assert(strstr(found(d), "XDG_CONFIG_HOME"), "%s", found(d));
	cr_assert_str_eq(dsrc(d, "timeout_ms"), "config file");
	cJSON_Delete(d);

	write_timeout("wsdash.json", 2222);
	d = config_json(NULL);
	cr_assert_eq(dnum(d, "timeout_ms"), 2222, "%s", out);
	cr_assert_str_eq(found(d), "the current directory");
	cJSON_Delete(d);

	write_timeout("env.json", 3333);
	setenv("WSDASH_CONFIG", "env.json", 1);
	d = config_json(NULL);
	cr_assert_eq(dnum(d, "timeout_ms"), 3333, "%s", out);
	cr_assert_str_eq(found(d), "$WSDASH_CONFIG");
	cJSON_Delete(d);

	write_timeout("flag.json", 4444);
	d = config_json("--config", "flag.json", NULL);
	cr_assert_eq(dnum(d, "timeout_ms"), 4444, "%s", out);
	cr_assert_str_eq(found(d), "--config");
	cJSON_Delete(d);

	/* and the command line over every file */
	d = config_json("--config", "flag.json", "--timeout", "5555", NULL);
	cr_assert_eq(dnum(d, "timeout_ms"), 5555, "%s", out);
	cr_assert_str_eq(dsrc(d, "timeout_ms"), "command line");
	cJSON_Delete(d);

	/* a broken file found by discovery is an error naming it */
	write_file("env.json", "{\"defaults\": {\"timeout_ms\": \"x\"}}");
	cr_assert_eq(run_wsdash((const char *[]){"config", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             2, "%s", out);
	cr_assert(strstr(err, "env.json") && strstr(err, "timeout_ms"), "%s",
	          err);
}

Test(config_cmd, sources_of_each_part, .init = setup, .fini = teardown)
{
	cJSON *d, *eps;

	write_file("wsdash.json",
	           "{\"defaults\": {\"poll_interval_ms\": 1500},\n"
	           " \"endpoints\": [{\"url\": \"ws://127.0.0.1:9/ws/a\"},\n"
	           "  {\"url\": \"ws://127.0.0.1:9/ws/b\", \"required\": "
	           "false}]}\n");
	setenv("BACKEND_PORT", "9999", 1);
	d = config_json("-H", "Authorization: Bearer S3CRET", NULL);
	cr_assert(strstr(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "server"),
	                                     "value")
	                     ->valuestring,
	                 ":9999"),
	          "%s", out);
	cr_assert_str_eq(dsrc(d, "server"), "environment");
	cr_assert_str_eq(dsrc(d, "poll_interval_ms"), "config file");
	cr_assert_str_eq(dsrc(d, "timeout_ms"), "built in");
	cr_assert_null(strstr(out, "S3CRET"), "%s", out);
	cr_assert(strstr(out, "Authorization"), "%s", out);
	eps = cJSON_GetObjectItem(d, "endpoints");
	cr_assert_eq(cJSON_GetArraySize(eps), 2, "%s", out);
	cr_assert_str_eq(
	    cJSON_GetObjectItem(d, "endpoints_source")->valuestring,
	    "config file");
	cr_assert(cJSON_IsFalse(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(eps, 1), "required")));
	cJSON_Delete(d);

	/* the text form says the same */
	cr_assert_eq(run_wsdash((const char *[]){"config", NULL}, out,
	                        sizeof(out), err, sizeof(err), 20000),
	             0, "%s", err);
	cr_assert(strstr(out, "(environment)") && strstr(out, "(config file)"),
	          "%s", out);
	cr_assert(strstr(out, "(optional)"), "%s", out);
}

/* --init against a running backend: its layout, its streams */
static void
init_against(const char *flavor, const char *layout_path, int nstreams)
{
	struct child srv;
	char server[64];
	cJSON *d, *eps;
	int rc;

	cr_assert(serve_start(&srv, "--flavor", flavor, NULL));
	snprintf(server, sizeof(server), "http://127.0.0.1:%d", srv.port);
	rc = run_wsdash((const char *[]){"config", "--init", "start.json",
	                                 "--server", server, NULL},
	                out, sizeof(out), err, sizeof(err), 30000);
	cr_assert_eq(rc, 0, "%s%s", out, err);
	cr_assert(strstr(out, "wrote start.json"), "%s", out);
	/* the file it wrote is a config that loads, with comments */
	d = config_json("--config", "start.json", NULL);
	eps = cJSON_GetObjectItem(d, "endpoints");
	cr_assert_eq(cJSON_GetArraySize(eps), nstreams, "%s", out);
	cr_assert(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(eps, 0), "url")
	                     ->valuestring,
	                 layout_path),
	          "%s", out);
	cJSON_Delete(d);
	/* never over an existing file */
	rc = run_wsdash((const char *[]){"config", "--init", "start.json",
	                                 "--server", server, NULL},
	                out, sizeof(out), err, sizeof(err), 30000);
	cr_assert_eq(rc, 2, "%s%s", out, err);
	cr_assert(strstr(err, "start.json") && strstr(err, "exists"), "%s",
	          err);
	cr_assert_eq(unlink("start.json"), 0);
	cr_assert_eq(child_stop(&srv), 0);
}

Test(config_cmd, init_writes_a_starter_for_the_server, .init = setup,
     .fini = teardown)
{
	FILE *f;
	char text[8192];
	size_t n;

	init_against("demo", "/ws/workflows", 3);
	init_against("tac", "/api/v1/ws/workflows", 8);
	/* comments for the reader are in the file */
	{
		struct child srv;
		char server[64];

		cr_assert(serve_start(&srv, NULL));
		snprintf(server, sizeof(server), "http://127.0.0.1:%d",
		         srv.port);
		cr_assert_eq(
		    run_wsdash((const char *[]){"config", "--init", "--server",
		                                server, NULL},
		               out, sizeof(out), err, sizeof(err), 30000),
		    0, "%s", err);
		child_stop(&srv);
	}
	f = fopen("wsdash.json", "r"); /* the default name */
	cr_assert_not_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	cr_assert(strstr(text, "\"//\""), "%s", text);
}
