/*
 * msgsum.c: message type, summary and timestamp; see msgsum.h.
 *
 * cJSON does the parsing (its nesting limit keeps hostile, deeply nested
 * input from recursing without bound). The summary walks at most a few
 * levels and a bounded number of items, so its cost does not grow with what
 * a server decides to send beyond the parse itself.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wsdash/msgsum.h"
#include "wsdash/sanitize.h"

#define MAX_STATUSES 8 /* distinct status values counted */
#define MAX_PARTS    4 /* key=value parts in an object summary */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), Hinnant's method. */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static bool
digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool
msgsum_iso8601(const char *s, double *epoch_ms)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	double frac = 0;
	const char *p;
	int sign = 0;

	if (strlen(s) < 19 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return false;
	p = s + 19;
	if (*p == '.' || *p == ',') {
		double scale = 0.1;

		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p)) {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (!digits(p + 1, 2, &oh))
			return false;
		p += 3;
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p)) {
			if (!digits(p, 2, &om))
				return false;
			p += 2;
		}
		if (oh > 23 || om > 59)
			return false;
	}
	if (*p != '\0')
		return false;
	*epoch_ms =
	    ((double)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400.0 +
	     h * 3600.0 + mi * 60.0 + sec + frac -
	     sign * (oh * 3600.0 + om * 60.0)) *
	    1000.0;
	return true;
}

bool
msgsum_time(const cJSON *v, double *epoch_ms)
{
	double t;

	if (cJSON_IsNumber(v)) {
		t = v->valuedouble;
		if (!isfinite(t) || t <= 0)
			return false;
		if (t < 1e11)
			t *= 1000.0; /* seconds */
		else if (t > 1e14)
			t /= 1000.0; /* microseconds */
	} else if (!cJSON_IsString(v) || !msgsum_iso8601(v->valuestring, &t)) {
		return false;
	}
	/* 1970..2200: anything else is not a send time (and "sent_at":
	 * 1e308 must not make a lag no integer can hold) */
	if (t < 0 || t > MSGSUM_TIME_MAX_MS)
		return false;
	*epoch_ms = t;
	return true;
}

/* A bounded string builder for the summary. */
struct out {
	char *s;
	size_t cap, len;
	bool utf8;
};

static void
out_add(struct out *o, const char *text, size_t n)
{
	if (o->len + 1 >= o->cap)
		return;
	o->len +=
	    sanitize_text(o->s + o->len, o->cap - o->len, text, n, o->utf8);
}

static void
out_str(struct out *o, const char *text)
{
	out_add(o, text, strlen(text));
}

static void
out_fmt_num(struct out *o, double v)
{
	char buf[32];

	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, sizeof(buf), "%.0f", v);
	else
		snprintf(buf, sizeof(buf), "%.4g", v);
	out_str(o, buf);
}

struct status_count {
	const char *name;
	int n;
};

/*
 * The key items are counted by: "status", else "phase" (the tac backend's
 * workflows), else "state": the first that some item has as a string.
 */
static const char *
status_key(const cJSON *arr)
{
	static const char *const keys[] = {"status", "phase", "state"};
	const cJSON *it;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		cJSON_ArrayForEach(it, arr)
		{
			if (cJSON_IsString(
			        cJSON_GetObjectItemCaseSensitive(it, keys[k])))
				return keys[k];
		}
	return NULL;
}

/* "N items" or "N items: 3 running, 2 queued" for objects with status. */
static void
summarize_array(struct out *o, const cJSON *arr)
{
	struct status_count st[MAX_STATUSES];
	int nst = 0, other = 0, n = 0, with_status = 0;
	const char *key = status_key(arr);
	const cJSON *it;
	char buf[32];

	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *s =
		    key ? cJSON_GetObjectItemCaseSensitive(it, key) : NULL;
		int k;

		n++;
		if (!cJSON_IsString(s))
			continue;
		with_status++;
		for (k = 0; k < nst; k++)
			if (strcmp(st[k].name, s->valuestring) == 0)
				break;
		if (k < nst)
			st[k].n++;
		else if (nst < MAX_STATUSES)
			st[nst++] = (struct status_count){s->valuestring, 1};
		else
			other++;
	}
	snprintf(buf, sizeof(buf), "%d item%s", n, n == 1 ? "" : "s");
	out_str(o, buf);
	if (with_status == 0)
		return;
	/* most frequent first */
	for (int i = 1; i < nst; i++)
		for (int j = i; j > 0 && st[j].n > st[j - 1].n; j--) {
			struct status_count t = st[j];

			st[j] = st[j - 1];
			st[j - 1] = t;
		}
	for (int i = 0; i < nst; i++) {
		snprintf(buf, sizeof(buf), "%s%d ", i ? ", " : ": ", st[i].n);
		out_str(o, buf);
		out_add(o, st[i].name,
		        strlen(st[i].name) > 24 ? 24 : strlen(st[i].name));
	}
	if (other) {
		snprintf(buf, sizeof(buf), ", %d other", other);
		out_str(o, buf);
	}
}

static bool
is_envelope_key(const char *k)
{
	return strcmp(k, "type") == 0 || strcmp(k, "seq") == 0 ||
	       strcmp(k, "sent_at") == 0 || strcmp(k, "timestamp") == 0;
}

/*
 * The one array of an object whose other members are all scalars
 * ({"routes":[...],"total":117}), or NULL.
 */
static const cJSON *
lone_array(const cJSON *obj, bool skip_envelope)
{
	const cJSON *it, *arr = NULL;

	cJSON_ArrayForEach(it, obj)
	{
		if (skip_envelope && is_envelope_key(it->string))
			continue;
		if (cJSON_IsArray(it)) {
			if (arr != NULL)
				return NULL;
			arr = it;
		} else if (cJSON_IsObject(it)) {
			return NULL;
		}
	}
	return arr;
}

/* "workflows: 20 items: 15 success, 5 failed; total_count=14" */
static void
summarize_object(struct out *o, const cJSON *obj, bool skip_envelope)
{
	const cJSON *it, *arr = lone_array(obj, skip_envelope);
	int parts = 0;

	if (arr != NULL) {
		summarize_array(o, arr);
		return;
	}

	cJSON_ArrayForEach(it, obj)
	{
		size_t kl;

		if (skip_envelope && is_envelope_key(it->string))
			continue;
		if (parts == MAX_PARTS) {
			out_str(o, "; ...");
			break;
		}
		if (parts++)
			out_str(o, "; ");
		kl = strlen(it->string);
		out_add(o, it->string, kl > 24 ? 24 : kl);
		if (cJSON_IsArray(it)) {
			out_str(o, ": ");
			summarize_array(o, it);
		} else if (cJSON_IsObject(it)) {
			char buf[24];

			snprintf(buf, sizeof(buf), "{%d}",
			         cJSON_GetArraySize(it));
			out_str(o, buf);
		} else if (cJSON_IsNumber(it)) {
			out_str(o, "=");
			out_fmt_num(o, it->valuedouble);
		} else if (cJSON_IsString(it)) {
			size_t l = strlen(it->valuestring);

			out_str(o, "=");
			out_add(o, it->valuestring, l > 24 ? 24 : l);
		} else if (cJSON_IsBool(it)) {
			out_str(o, cJSON_IsTrue(it) ? "=true" : "=false");
		} else {
			out_str(o, "=null");
		}
	}
}

static void
set_type(struct msg_info *m, const char *t, size_t n, bool utf8)
{
	sanitize_text(m->type, sizeof(m->type), t, n, utf8);
}

void
msgsum_analyze(const char *data, size_t len, bool binary, bool utf8,
               struct msg_info *m)
{
	struct out o = {m->summary, sizeof(m->summary), 0, utf8};
	const cJSON *type, *payload, *t;
	cJSON *root;
	size_t i = 0;
	char buf[48];

	memset(m, 0, sizeof(*m));
	if (binary) {
		set_type(m, "binary", 6, utf8);
		snprintf(buf, sizeof(buf), "%zu bytes", len);
		out_str(&o, buf);
		return;
	}
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	root = cJSON_ParseWithLength(data, len);
	if (root == NULL) {
		bool looks_json = i < len && (data[i] == '{' || data[i] == '[');

		set_type(m, looks_json ? "invalid json" : "text",
		         looks_json ? 12 : 4, utf8);
		out_add(&o, data + i, len - i > 80 ? 80 : len - i);
		return;
	}
	payload = root;
	if (cJSON_IsObject(root)) {
		type = cJSON_GetObjectItemCaseSensitive(root, "type");
		if (cJSON_IsString(type))
			set_type(m, type->valuestring,
			         strlen(type->valuestring), utf8);
		else
			set_type(m, "json", 4, utf8);
		t = cJSON_GetObjectItemCaseSensitive(root, "sent_at");
		if (t == NULL)
			t = cJSON_GetObjectItemCaseSensitive(root, "timestamp");
		m->has_time = msgsum_time(t, &m->sent_ms);
		t = cJSON_GetObjectItemCaseSensitive(root, "seq");
		if (cJSON_IsNumber(t)) {
			m->has_seq = true;
			m->seq = t->valuedouble;
		}
		if (cJSON_HasObjectItem(root, "data"))
			payload =
			    cJSON_GetObjectItemCaseSensitive(root, "data");
	} else {
		set_type(m, "json", 4, utf8);
	}

	if (cJSON_IsArray(payload))
		summarize_array(&o, payload);
	else if (cJSON_IsObject(payload))
		summarize_object(&o, payload, payload == root);
	else if (cJSON_IsNumber(payload))
		out_fmt_num(&o, payload->valuedouble);
	else if (cJSON_IsString(payload))
		out_add(&o, payload->valuestring,
		        strlen(payload->valuestring) > 80
		            ? 80
		            : strlen(payload->valuestring));
	else if (cJSON_IsBool(payload))
		out_str(&o, cJSON_IsTrue(payload) ? "true" : "false");
	else
		out_str(&o, "null");
	cJSON_Delete(root);
}
