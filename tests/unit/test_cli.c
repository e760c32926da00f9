/* Command-line parsing: numbers and `wsdash serve` options. */
#include <criterion/criterion.h>
#include <string.h>

#include "wsdash/cli.h"
#include "wsdash/serve.h"

static enum serve_parse_result
parse(struct serve_opts *o, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "serve";
	while (args[argc - 1] != NULL)
		argv[argc] = (char *)args[argc - 1], argc++;
	argv[argc] = NULL;
	serve_opts_default(o);
	err[0] = '\0';
	return serve_opts_parse(o, argc, argv, err, 256);
}

Test(cli, integers_whole_and_in_range)
{
	char err[256];
	int64_t v;

	cr_assert(cli_parse_i64("--port", "8080", 0, 65535, &v, err, 256));
	cr_assert_eq(v, 8080);
	cr_assert(cli_parse_i64("--x", "-5", -10, 10, &v, err, 256));
	cr_assert_eq(v, -5);
	cr_assert_not(cli_parse_i64("--port", "80x", 0, 65535, &v, err, 256));
	cr_assert(strstr(err, "--port") && strstr(err, "80x"), "%s", err);
	cr_assert_not(cli_parse_i64("--port", "", 0, 65535, &v, err, 256));
	cr_assert_not(cli_parse_i64("--port", " 80", 0, 65535, &v, err, 256));
	cr_assert_not(cli_parse_i64("--port", "65536", 0, 65535, &v, err, 256));
	cr_assert(strstr(err, "out of range"), "%s", err);
	cr_assert_not(cli_parse_i64("--port", "99999999999999999999", 0, 65535,
	                            &v, err, 256));
}

Test(cli, doubles_and_u64)
{
	char err[256];
	double d;
	uint64_t u;

	cr_assert(cli_parse_double("--rate", "2.5", 0, 10, &d, err, 256));
	cr_assert_float_eq(d, 2.5, 1e-12);
	cr_assert_not(cli_parse_double("--rate", "nan", 0, 10, &d, err, 256));
	cr_assert_not(cli_parse_double("--rate", "inf", 0, 10, &d, err, 256));
	cr_assert_not(cli_parse_double("--rate", "11", 0, 10, &d, err, 256));
	cr_assert_not(cli_parse_double("--rate", "1Hz", 0, 10, &d, err, 256));
	cr_assert(cli_parse_u64("--seed", "0x10", &u, err, 256));
	cr_assert_eq(u, 16);
	cr_assert(
	    cli_parse_u64("--seed", "18446744073709551615", &u, err, 256));
	cr_assert_eq(u, UINT64_MAX);
	cr_assert_not(cli_parse_u64("--seed", "-1", &u, err, 256));
}

Test(serve_opts, defaults)
{
	struct serve_opts o;
	char err[256];

	cr_assert_eq(parse(&o, err, (const char *[]){NULL}), SERVE_PARSE_OK);
	cr_assert_str_eq(o.bind, "127.0.0.1");
	cr_assert_eq(o.port, 8000);
	cr_assert_float_eq(o.rate, 1.0, 1e-12);
	cr_assert_eq(o.scenario, SCENARIO_STEADY);
	cr_assert_not(o.seed_set);
	cr_assert_float_eq(o.speed, 1.0, 1e-12);
}

Test(serve_opts, every_option)
{
	struct serve_opts o;
	char err[256];

	cr_assert_eq(
	    parse(&o, err,
	          (const char *[]){"--port", "0", "--bind", "::1", "--rate=5",
	                           "--scenario", "flood", "--seed", "42",
	                           "--count", "1000", "--speed", "20", NULL}),
	    SERVE_PARSE_OK, "%s", err);
	cr_assert_eq(o.port, 0);
	cr_assert_str_eq(o.bind, "::1");
	cr_assert_float_eq(o.rate, 5.0, 1e-12);
	cr_assert_eq(o.scenario, SCENARIO_FLOOD);
	cr_assert(o.seed_set);
	cr_assert_eq(o.seed, 42);
	cr_assert_eq(o.count, 1000);
	cr_assert_float_eq(o.speed, 20.0, 1e-12);
}

Test(serve_opts, errors_name_the_option)
{
	struct serve_opts o;
	char err[256];

	cr_assert_eq(parse(&o, err, (const char *[]){"--port", "http", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert(strstr(err, "--port"), "%s", err);
	/* names are taken (resolved at start), nonsense is not */
	cr_assert_eq(
	    parse(&o, err, (const char *[]){"--bind", "localhost", NULL}),
	    SERVE_PARSE_OK);
	cr_assert_str_eq(o.bind, "localhost");
	cr_assert_eq(
	    parse(&o, err, (const char *[]){"--bind", "bad_name!", NULL}),
	    SERVE_PARSE_ERR);
	cr_assert(strstr(err, "--bind") && strstr(err, "bad_name!"), "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"--help=3", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert(strstr(err, "'--help' takes no value"), "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"--scenaro", "x", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert(strstr(err, "did you mean '--scenario'"), "%s", err);
	cr_assert_eq(
	    parse(&o, err, (const char *[]){"--scenario", "chaos", NULL}),
	    SERVE_PARSE_ERR);
	cr_assert(strstr(err, "chaos") && strstr(err, "outages"), "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"--frobnicate", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert(strstr(err, "unknown option '--frobnicate'"), "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"-z", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert(strstr(err, "'-z'"), "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"--port", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert(strstr(err, "needs a value"), "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"extra", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert(strstr(err, "unexpected argument 'extra'"), "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"--rate", "-1", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert_eq(parse(&o, err, (const char *[]){"--speed", "0", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert_eq(parse(&o, err, (const char *[]){"--count", "0", NULL}),
	             SERVE_PARSE_ERR);
	cr_assert_eq(parse(&o, err, (const char *[]){"--help", NULL}),
	             SERVE_PARSE_HELP);
}

Test(serve_opts, flavor)
{
	struct serve_opts o;
	char err[256];

	cr_assert_eq(parse(&o, err, (const char *[]){NULL}), SERVE_PARSE_OK);
	cr_assert_eq(o.flavor, SERVE_FLAVOR_DEMO);
	cr_assert_eq(parse(&o, err, (const char *[]){"--flavor", "tac", NULL}),
	             SERVE_PARSE_OK, "%s", err);
	cr_assert_eq(o.flavor, SERVE_FLAVOR_TAC);
	cr_assert_str_eq(serve_flavor_name(o.flavor), "tac");
	cr_assert_eq(parse(&o, err, (const char *[]){"--flavor=demo", NULL}),
	             SERVE_PARSE_OK, "%s", err);
	cr_assert_eq(o.flavor, SERVE_FLAVOR_DEMO);
	/* a usage error that names the choices */
	cr_assert_eq(
	    parse(&o, err, (const char *[]){"--flavor", "fastapi", NULL}),
	    SERVE_PARSE_ERR);
	cr_assert(strstr(err, "--flavor") && strstr(err, "'fastapi'") &&
	              strstr(err, "demo") && strstr(err, "tac"),
	          "%s", err);
	cr_assert_eq(parse(&o, err, (const char *[]){"--flavor", NULL}),
	             SERVE_PARSE_ERR);
}
