/*
 * tagged.c — the values of the reader's built-in tagged literals: #inst (a
 * java.util.Date: milliseconds since the epoch, UTC) and #uuid (a
 * java.util.UUID: two 64-bit halves). Parsing follows clojure.instant's
 * RFC 3339 grammar and UUID.fromString; formatting gives the text the JVM
 * prints inside #inst "..." and #uuid "...".
 */
#include <string.h>

#include "runtime/rt.h"

kiln_val kiln_inst_new(int64_t millis) {
  kiln_inst *d = kiln_obj_new(KILN_T_INST, sizeof *d);
  d->millis = millis;
  return (kiln_val)d;
}

kiln_val kiln_uuid_new(uint64_t msb, uint64_t lsb) {
  kiln_uuid *u = kiln_obj_new(KILN_T_UUID, sizeof *u);
  u->msb = msb;
  u->lsb = lsb;
  return (kiln_val)u;
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly [k] decimal digits at s[*i]. */
static bool digits(const char *s, size_t n, size_t *i, int k, int *out) {
  int v = 0;
  for (int j = 0; j < k; j++) {
    if (*i >= n || s[*i] < '0' || s[*i] > '9') return false;
    v = v * 10 + (s[(*i)++] - '0');
  }
  *out = v;
  return true;
}

static bool syntax_error(const char *s, size_t n, const char **why) {
  if (why) {
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_puts(&sb, "Unrecognized date/time syntax: ");
    kiln_sb_putn(&sb, s, n);
    *why = kiln_sb_cstr(&sb);
  }
  return false;
}

/* clojure.instant's range checks, with its messages. */
static bool range_error(const char *msg, const char **why) {
  if (why) *why = msg;
  return false;
}

bool kiln_inst_parse(const char *s, size_t n, int64_t *millis, const char **why) {
  size_t i = 0;
  int year, month = 1, day = 1, hour = 0, minute = 0, second = 0, off_h = 0, off_m = 0;
  int64_t nanos = 0, sign = 0;
  if (!digits(s, n, &i, 4, &year)) return syntax_error(s, n, why);
  if (i < n && s[i] == '-') {
    i++;
    if (!digits(s, n, &i, 2, &month)) return syntax_error(s, n, why);
    if (i < n && s[i] == '-') {
      i++;
      if (!digits(s, n, &i, 2, &day)) return syntax_error(s, n, why);
      if (i < n && s[i] == 'T') {
        i++;
        if (!digits(s, n, &i, 2, &hour)) return syntax_error(s, n, why);
        if (i < n && s[i] == ':') {
          i++;
          if (!digits(s, n, &i, 2, &minute)) return syntax_error(s, n, why);
          if (i < n && s[i] == ':') {
            i++;
            if (!digits(s, n, &i, 2, &second)) return syntax_error(s, n, why);
            if (i < n && s[i] == '.') {
              i++;
              int nd = 0;
              if (i >= n || s[i] < '0' || s[i] > '9') return syntax_error(s, n, why);
              for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
                if (nd < 9) nanos = nanos * 10 + (s[i] - '0');
              for (; nd < 9; nd++) nanos *= 10;
            }
          }
        }
      }
    }
  }
  if (i < n && s[i] == 'Z') {
    i++;
  } else if (i < n && (s[i] == '+' || s[i] == '-')) {
    sign = s[i++] == '-' ? -1 : 1;
    if (!digits(s, n, &i, 2, &off_h) || i >= n || s[i++] != ':' || !digits(s, n, &i, 2, &off_m))
      return syntax_error(s, n, why);
  }
  if (i != n) return syntax_error(s, n, why);
  if (month < 1 || month > 12) return range_error("failed: (<= 1 months 12)", why);
  if (day < 1 || day > days_in_month(year, month))
    return range_error("failed: (<= 1 days (days-in-month months (leap-year? years)))", why);
  if (hour > 23) return range_error("failed: (<= 0 hours 23)", why);
  if (minute > 59) return range_error("failed: (<= 0 minutes 59)", why);
  if (second > (minute == 59 ? 60 : 59))
    return range_error("failed: (<= 0 seconds (if (= minutes 59) 60 59))", why);
  if (off_h > 23) return range_error("failed: (<= 0 offset-hours 23)", why);
  if (off_m > 59) return range_error("failed: (<= 0 offset-minutes 59)", why);
  int64_t secs = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  secs -= sign * (off_h * 3600 + off_m * 60);
  *millis = secs * 1000 + nanos / 1000000;
  return true;
}

void kiln_inst_format(kiln_val inst, char *buf) {
  int64_t ms = ((const kiln_inst *)inst)->millis;
  int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  int64_t rem = ms - days * 86400000;
  int64_t y;
  int m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(buf, 48, "%04lld-%02d-%02dT%02d:%02d:%02d.%03d-00:00", (long long)y, m, d,
           (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
           (int)(rem % 1000));
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool kiln_uuid_parse(const char *s, size_t n, kiln_val *out) {
  /* UUID.fromString: five dash-separated groups of 1..8, 4, 4, 4, 12 hex digits. */
  static const int widths[5] = {8, 4, 4, 4, 12};
  uint64_t g[5];
  size_t i = 0;
  if (n > 36) return false;
  for (int k = 0; k < 5; k++) {
    if (k > 0 && (i >= n || s[i++] != '-')) return false;
    int nd = 0;
    uint64_t v = 0;
    for (; i < n && hexval(s[i]) >= 0; i++, nd++) v = v << 4 | (uint64_t)hexval(s[i]);
    if (nd == 0 || nd > widths[k]) return false;
    g[k] = v;
  }
  if (i != n) return false;
  *out = kiln_uuid_new(g[0] << 32 | g[1] << 16 | g[2], g[3] << 48 | g[4]);
  return true;
}

void kiln_uuid_format(kiln_val uuid, char *buf) {
  const kiln_uuid *u = (const kiln_uuid *)uuid;
  snprintf(buf, 37, "%08llx-%04llx-%04llx-%04llx-%012llx", (unsigned long long)(u->msb >> 32),
           (unsigned long long)(u->msb >> 16 & 0xffff), (unsigned long long)(u->msb & 0xffff),
           (unsigned long long)(u->lsb >> 48), (unsigned long long)(u->lsb & 0xffffffffffffull));
}
