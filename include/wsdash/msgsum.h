/*
 * msgsum: what a message (or a polled body) says, in a few words.
 *
 *   {"type":"workflows_update","sent_at":1764108000123,
 *    "data":[{"status":"running"},{"status":"queued"},...]}
 *   -> type "workflows_update", summary "6 items: 3 running, 2 queued,
 *      1 failed", sent at 1764108000123 ms.
 *
 * The type is the message's "type" field, or "text", "binary",
 * "invalid json", "json" when there is none. Timestamps come from "sent_at"
 * or "timestamp": epoch seconds, milliseconds or microseconds, or an ISO
 * 8601 string. Pure; all strings are sanitized and bounded.
 */
#ifndef WSDASH_MSGSUM_H
#define WSDASH_MSGSUM_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define MSG_TYPE_MAX       48
#define MSG_SUMMARY_MAX    128
#define MSGSUM_TIME_MAX_MS 7258118400000.0 /* 2200-01-01 */

struct msg_info {
	char type[MSG_TYPE_MAX];
	char summary[MSG_SUMMARY_MAX];
	bool has_time;
	double sent_ms; /* epoch milliseconds, when has_time */
	bool has_seq;
	double seq;
};

/*
 * Analyze one message of len bytes. binary: it came as a binary frame.
 * utf8 selects how non-ASCII text is kept (see sanitize_text()).
 */
void msgsum_analyze(const char *data, size_t len, bool binary, bool utf8,
                    struct msg_info *out);

/*
 * A timestamp value as epoch milliseconds: a number (seconds if below
 * 1e11, microseconds if above 1e14, else milliseconds) or an ISO 8601
 * string, between 1970 and 2200. Returns false otherwise.
 */
bool msgsum_time(const cJSON *v, double *epoch_ms);

/*
 * "2026-11-25T22:00:31Z", "2026-11-25T22:00:31.250+01:00",
 * "2026-11-25 22:00:31" (taken as UTC) -> epoch ms. False if malformed.
 */
bool msgsum_iso8601(const char *s, double *epoch_ms);

#endif
