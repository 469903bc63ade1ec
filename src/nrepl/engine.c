/*
 * engine.c — the nREPL server's runtime side: evaluation in the server
 * process (sessions bound to no device), completions and lookup.
 *
 * An eval binds, for the duration of the request, *ns* to the session's
 * namespace, *out* and *err* to callback writers that send out/err messages,
 * and *1 *2 *3 *e to the session's values; afterwards it stores them back.
 * Each form is read, evaluated and its value printed (kiln_pr_str) in its own
 * message. An exception sends err text, then {ex root-ex status
 * [eval-error]}, and evaluation goes on with the next form, as nREPL does on
 * the JVM; a read error stops at the first bad form.
 */
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compiler.h"
#include "kiln/kiln.h"
#include "nrepl/engine_int.h"
#include "nrepl/nrepl.h"

/*
 * Standard input. read-line reads (-read-line) unless *in* is rebound; in
 * the server, standard input of an eval is the nREPL client's, so the root
 * of clojure.core/-read-line becomes a function that reads the session's
 * stdin messages, asking for more with need-input as nREPL does. Threads
 * that are not evaluating a request (none, in a server) keep the original.
 */
static __thread kiln_request *tl_request;
static kiln_val original_read_line; /* a GC root: see kiln_engine_init */

static kiln_val session_read_line(kiln_fn *self, uint32_t argc, const kiln_val *argv) {
  kiln_request *req = tl_request;
  if (!req) return kiln_call(original_read_line, argc, argv);
  kiln_session *s = req->session;
  bool asked = false;
  pthread_mutex_lock(&s->lock);
  for (;;) {
    char *nl = s->in_len ? memchr(s->in, '\n', s->in_len) : NULL;
    if (nl || (s->in_eof && s->in_len) ) {
      size_t line = nl ? (size_t)(nl - s->in) : s->in_len;
      size_t take = nl ? line + 1 : line;
      size_t keep = line;
      if (keep > 0 && s->in[keep - 1] == '\r') keep--;
      kiln_val v = kiln_str_new(s->in, keep);
      memmove(s->in, s->in + take, s->in_len - take);
      s->in_len -= take;
      pthread_mutex_unlock(&s->lock);
      return v;
    }
    if (s->in_eof || s->interrupted || s->closed) {
      s->in_eof = false;
      pthread_mutex_unlock(&s->lock);
      return KILN_NIL;
    }
    if (!asked) {
      asked = true;
      pthread_mutex_unlock(&s->lock);
      kiln_reply_status(req, "need-input", NULL);
      pthread_mutex_lock(&s->lock);
      continue;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&s->cond, &s->lock, &ts);
  }
}

void kiln_engine_init(void) {
  kiln_runtime_new();
  kiln_thread_attach();
  kiln_var *rl = kiln_var_find("clojure.core", "-read-line");
  if (rl && (rl->h.flags & KILN_VAR_BOUND)) {
    kiln_val *root = kiln_alloc_root(sizeof *root);
    *root = KILN_VAR_ROOT(rl);
    original_read_line = *root;
    kiln_var_set_root(rl, (kiln_val)kiln_fn_new(session_read_line, "clojure.core/-read-line", 0));
  }
}

void kiln_engine_session_init(kiln_session *s, kiln_session *from) {
  if (from) {
    memcpy(s->vals, from->vals, sizeof(kiln_val) * KILN_SV_COUNT);
    s->vals[KILN_SV_E] = KILN_NIL;
  } else {
    s->vals[KILN_SV_NS] = kiln_ns_user;
  }
}

const char *kiln_engine_ns_name(kiln_session *s) {
  kiln_val ns = s->vals[KILN_SV_NS];
  return ns ? kiln_ns_name(ns) : "user";
}

/* ---- out and err ---- */

void kiln_stream_send(kiln_stream *st) {
  pthread_mutex_lock(&st->lock);
  if (st->buf.len && !st->closed) {
    kiln_benc *m = kiln_benc_dict();
    kiln_benc_set_strn(m, st->key, st->buf.p, st->buf.len);
    kiln_reply(st->req, m);
  }
  st->buf.len = 0;
  pthread_mutex_unlock(&st->lock);
}

static void stream_write(kiln_writer *w, const char *s, size_t n) {
  kiln_stream *st = w->ctx;
  pthread_mutex_lock(&st->lock);
  bool send = false;
  if (!st->closed) {
    kiln_bbuf_put(&st->buf, s, n);
    send = st->buf.len >= 1024 || (n > 0 && s[n - 1] == '\n');
  }
  pthread_mutex_unlock(&st->lock);
  if (send) kiln_stream_send(st);
}

static void stream_flush(kiln_writer *w) { kiln_stream_send(w->ctx); }

kiln_stream *kiln_stream_new(kiln_request *req, const char *key) {
  kiln_stream *st = kiln_alloc(sizeof *st);
  st->req = req;
  st->key = key;
  pthread_mutex_init(&st->lock, NULL);
  st->writer = kiln_writer_callback(stream_write, stream_flush, st);
  return st;
}

kiln_val kiln_stream_writer(kiln_stream *st) { return st->writer; }

void kiln_stream_close(kiln_stream *st) {
  kiln_stream_send(st);
  pthread_mutex_lock(&st->lock);
  st->closed = true;
  st->req = NULL;
  kiln_bbuf_free(&st->buf);
  pthread_mutex_unlock(&st->lock);
}

/* ---- errors ---- */

const char *kiln_engine_ex_class(kiln_val ex) {
  if (KILN_HAS_TYPE(ex, KILN_T_EXCEPTION)) return ((kiln_exception *)ex)->cls;
  return kiln_class_name(ex);
}

kiln_val kiln_engine_root_cause(kiln_val ex) {
  for (int i = 0; i < 64 && KILN_HAS_TYPE(ex, KILN_T_EXCEPTION); i++) {
    kiln_val c = ((kiln_exception *)ex)->cause;
    if (!KILN_HAS_TYPE(c, KILN_T_EXCEPTION)) break;
    ex = c;
  }
  return ex;
}

static const char *simple_name(const char *cls) {
  const char *dot = strrchr(cls, '.');
  return dot ? dot + 1 : cls;
}

static const char *source_name(const char *file) {
  if (!file || !*file || strcmp(file, "NO_SOURCE_PATH") == 0 || strcmp(file, "NO_SOURCE_FILE") == 0)
    return "REPL";
  const char *slash = strrchr(file, '/');
  return slash ? slash + 1 : file;
}

/*
 * The err text clojure.main's REPL prints for [ex], in its three shapes:
 * "Syntax error reading source at (SRC:L:C).", "Syntax error compiling at
 * (SRC:L:C)." and "Execution error (Class) at ns/fn (SRC:L).", then the message.
 */
const char *kiln_engine_error_text(kiln_val ex, bool reading) {
  kiln_sb sb;
  kiln_sb_init(&sb);
  const char *file = NULL;
  int line = 0, column = 0;
  const char *cls = kiln_engine_ex_class(ex);
  const char *msg = KILN_HAS_TYPE(ex, KILN_T_EXCEPTION) ? kiln_ex_message(ex) : kiln_pr_str(ex);
  if (reading || kiln_reader_error_pos(ex, &file, &line, &column)) {
    kiln_reader_error_pos(ex, &file, &line, &column);
    kiln_sb_printf(&sb, "Syntax error reading source at (%s:%d:%d).\n", source_name(file), line,
                   column);
  } else if (strstr(cls, "CompilerException")) {
    kiln_compiler_error_position(ex, &file, &line, &column);
    kiln_val root = kiln_engine_root_cause(ex);
    if ((!msg || !*msg) && root != ex) msg = kiln_ex_message(root);
    kiln_sb_printf(&sb, "Syntax error compiling at (%s:%d:%d).\n", source_name(file), line,
                   column);
  } else {
    /* As clojure.main: the fn and line at the top of the root cause's chain
     * of calls, when one was recorded. */
    const kiln_patch_fn *top = kiln_ex_top_frame(kiln_engine_root_cause(ex));
    bool where = kiln_compiler_error_position(ex, &file, &line, &column);
    if (top && top->line > 0)
      kiln_sb_printf(&sb, "Execution error (%s) at %s (%s:%d).\n", simple_name(cls),
                     top->name ? top->name : "fn", source_name(top->file), (int)top->line);
    else if (where)
      kiln_sb_printf(&sb, "Execution error (%s) at (%s:%d).\n", simple_name(cls),
                     source_name(file), line);
    else
      kiln_sb_printf(&sb, "Execution error (%s).\n", simple_name(cls));
  }
  kiln_sb_puts(&sb, msg && *msg ? msg : "null");
  kiln_sb_putc(&sb, '\n');
  return kiln_sb_cstr(&sb);
}

void kiln_engine_reply_error(kiln_request *req, kiln_stream *err, const char *text, const char *ex,
                             const char *root_ex) {
  if (err) kiln_stream_send(err);
  kiln_reply_str(req, "err", text);
  kiln_benc *m = kiln_benc_dict();
  kiln_sb a, b;
  kiln_sb_init(&a);
  kiln_sb_init(&b);
  kiln_sb_printf(&a, "class %s", ex);
  kiln_sb_printf(&b, "class %s", root_ex);
  kiln_benc_set_str(m, "ex", kiln_sb_cstr(&a));
  kiln_benc_set_str(m, "root-ex", kiln_sb_cstr(&b));
  kiln_benc_set(m, "status", kiln_benc_strs("eval-error", NULL));
  kiln_reply(req, m);
}

static void report_exception(kiln_request *req, kiln_stream *err, kiln_val ex, bool reading) {
  const char *text = "";
  kiln_val e;
  /* Describing the exception runs runtime code; never let it escape. */
  kiln_try t;
  KILN_TRY(t) { text = kiln_engine_error_text(ex, reading); }
  KILN_CATCH(t) {
    e = t.exception;
    KILN_UNUSED(e);
    text = "Execution error: an exception that could not be printed\n";
  }
  KILN_END(t);
  kiln_engine_reply_error(req, err, text, kiln_engine_ex_class(ex),
                          kiln_engine_ex_class(kiln_engine_root_cause(ex)));
}

/* ---- eval ---- */

typedef struct eval_state {
  kiln_request *req;
  kiln_reader *reader;
  kiln_val form, value, exception;
  bool reading;
} eval_state;

static kiln_val read_body(void *ctx) {
  eval_state *es = ctx;
  es->form = KILN_NIL;
  return kiln_reader_next(es->reader, &es->form) ? KILN_TRUE : KILN_FALSE;
}

static kiln_val eval_body(void *ctx) {
  eval_state *es = ctx;
  return kiln_eval_form(es->form);
}

static kiln_val print_body(void *ctx) {
  eval_state *es = ctx;
  return (kiln_val)kiln_pr_str(es->value);
}

static kiln_val load_body(void *ctx) {
  eval_state *es = ctx;
  size_t n = 0, pn = 0;
  const char *text = kiln_benc_get_str(es->req->msg, "file", &n);
  const char *path = kiln_benc_get_str(es->req->msg, "file-path", &pn);
  if (!path || !*path) path = kiln_benc_get_str(es->req->msg, "file-name", NULL);
  return kiln_load_string(text, n, path);
}

/* Sends one value message; printing may throw (a lazy seq that fails). */
static bool send_value(kiln_request *req, kiln_stream *err, eval_state *es, bool with_ns) {
  kiln_val printed, ex;
  if (!kiln_pcall(print_body, es, &printed, &ex)) {
    report_exception(req, err, ex, false);
    return false;
  }
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set_str(m, "value", (const char *)printed);
  const char *ns = kiln_ns_name(kiln_var_get(kiln_v_ns));
  /* With nREPL's print middleware streaming (CIDER asks for it), the value
   * and the ns travel in two messages, as on the JVM. */
  if (with_ns && kiln_benc_get_bool(req->msg, "nrepl.middleware.print/stream?")) {
    kiln_reply(req, m);
    kiln_reply_str(req, "ns", ns);
    return true;
  }
  if (with_ns) kiln_benc_set_str(m, "ns", ns);
  kiln_reply(req, m);
  return true;
}

bool kiln_engine_eval(kiln_request *req, bool load_file) {
  kiln_session *s = req->session;
  kiln_thread *th = kiln_thread_current();
  kiln_val ns = s->vals[KILN_SV_NS] ? s->vals[KILN_SV_NS] : kiln_ns_user;
  const char *ns_name = kiln_benc_get_str(req->msg, "ns", NULL);
  if (ns_name && *ns_name && !load_file) {
    kiln_val found = kiln_ns_find(kiln_sym(NULL, ns_name));
    if (found == KILN_NIL) {
      kiln_benc *m = kiln_benc_dict();
      kiln_benc_set_str(m, "ns", ns_name);
      kiln_benc_set(m, "status", kiln_benc_strs("namespace-not-found", "done", "error", NULL));
      kiln_reply(req, m);
      return true;
    }
    ns = found;
  }
  kiln_stream *out = kiln_stream_new(req, "out"), *err = kiln_stream_new(req, "err");
  const char *file = kiln_benc_get_str(req->msg, "file", NULL);
  if (load_file) file = NULL;
  kiln_var *vars[] = {kiln_v_ns, kiln_v_out, kiln_v_err, kiln_v_star1, kiln_v_star2,
                      kiln_v_star3, kiln_v_stare, kiln_v_file};
  kiln_val vals[] = {ns, kiln_stream_writer(out), kiln_stream_writer(err), s->vals[KILN_SV_1],
                     s->vals[KILN_SV_2], s->vals[KILN_SV_3], s->vals[KILN_SV_E],
                     kiln_str_cstr(file ? file : "NO_SOURCE_PATH")};
  kiln_var_push_bindings_n(KILN_ARRAY_LEN(vars), vars, vals);

  eval_state es = {.req = req};
  kiln_val result, ex;
  tl_request = req;
  if (load_file) {
    if (kiln_pcall(load_body, &es, &es.value, &ex)) {
      kiln_flush(vals[1]);
      kiln_flush(vals[2]);
      send_value(req, err, &es, false);
    } else {
      kiln_flush(vals[1]);
      kiln_var_set(kiln_v_stare, ex);
      report_exception(req, err, ex, false);
    }
  } else {
    size_t n = 0;
    const char *code = kiln_benc_get_str(req->msg, "code", &n);
    kiln_read_opts opts = {0};
    opts.file = file;
    opts.line = (int)kiln_benc_get_int(req->msg, "line", 1);
    opts.column = (int)kiln_benc_get_int(req->msg, "column", 1);
    opts.allow_cond = true;
    es.reader = kiln_reader_new(code, n, &opts);
    for (;;) {
      if (th->interrupt || s->interrupted) break;
      if (!kiln_pcall(read_body, &es, &result, &ex)) {
        kiln_var_set(kiln_v_stare, ex);
        report_exception(req, err, ex, true);
        break;
      }
      if (result != KILN_TRUE) break;
      if (!kiln_pcall(eval_body, &es, &es.value, &ex)) {
        kiln_flush(vals[1]);
        kiln_var_set(kiln_v_stare, ex);
        report_exception(req, err, ex, false);
        continue;
      }
      kiln_flush(vals[1]);
      kiln_flush(vals[2]);
      if (send_value(req, err, &es, true)) {
        kiln_var_set(kiln_v_star3, kiln_var_get(kiln_v_star2));
        kiln_var_set(kiln_v_star2, kiln_var_get(kiln_v_star1));
        kiln_var_set(kiln_v_star1, es.value);
      }
    }
  }
  kiln_flush(vals[1]);
  kiln_flush(vals[2]);
  if (!load_file && !(ns_name && *ns_name)) s->vals[KILN_SV_NS] = kiln_var_get(kiln_v_ns);
  else if (!load_file) {
    /* An explicit ns applies to this request only, as on the JVM, unless
     * the code itself switched namespace. */
    kiln_val now = kiln_var_get(kiln_v_ns);
    if (now != ns) s->vals[KILN_SV_NS] = now;
  }
  s->vals[KILN_SV_1] = kiln_var_get(kiln_v_star1);
  s->vals[KILN_SV_2] = kiln_var_get(kiln_v_star2);
  s->vals[KILN_SV_3] = kiln_var_get(kiln_v_star3);
  s->vals[KILN_SV_E] = kiln_var_get(kiln_v_stare);
  tl_request = NULL;
  kiln_var_pop_bindings();
  kiln_stream_send(out);
  kiln_stream_send(err);
  kiln_stream_close(out);
  kiln_stream_close(err);
  return false;
}

/* ---- completions ---- */

typedef struct cand {
  const char *name, *type, *ns;
} cand;

static int cand_cmp(const void *a, const void *b) {
  return strcmp(((const cand *)a)->name, ((const cand *)b)->name);
}

static const char *var_type(kiln_var *v) {
  if (v->h.flags & KILN_VAR_MACRO) return "macro";
  kiln_val root = KILN_VAR_ROOT(v);
  if (kiln_is_fn(root)) return (((kiln_fn *)root)->h.flags & KILN_FN_MACRO) ? "macro" : "function";
  return "var";
}

typedef struct cand_list {
  cand *items;
  size_t n, cap;
} cand_list;

static void cand_add(cand_list *l, const char *name, const char *type, const char *ns) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 64;
    l->items = realloc(l->items, l->cap * sizeof *l->items);
    if (!l->items) abort();
  }
  l->items[l->n++] = (cand){name, type, ns};
}

static bool starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Adds the vars of [mappings] (symbol -> var) whose names start with
 * [prefix]; [qual] is prepended to candidates ("str/" for an alias). */
static void add_vars(cand_list *l, kiln_val mappings, kiln_val home, const char *qual,
                     const char *prefix, bool publics_only) {
  for (kiln_val s = kiln_seq(mappings); s != KILN_NIL; s = kiln_next(s)) {
    kiln_val e = kiln_first(s);
    kiln_val sym = kiln_nth(e, 0, KILN_NIL, true), v = kiln_nth(e, 1, KILN_NIL, true);
    if (!KILN_HAS_TYPE(v, KILN_T_VAR)) continue;
    kiln_var *var = (kiln_var *)v;
    if (publics_only && ((var->h.flags & KILN_VAR_PRIVATE) || var->ns != home)) continue;
    const char *name = kiln_sym_name(sym);
    if (!starts_with(name, prefix)) continue;
    kiln_sb sb;
    kiln_sb_init(&sb);
    kiln_sb_printf(&sb, "%s%s", qual, name);
    cand_add(l, kiln_sb_cstr(&sb), var_type(var), kiln_ns_name(var->ns));
  }
}

typedef struct compl_ctx {
  kiln_request *req;
  cand_list l;
} compl_ctx;

static kiln_val completions_body(void *ctx) {
  compl_ctx *c = ctx;
  kiln_request *req = c->req;
  const char *prefix = kiln_benc_get_str(req->msg, "prefix", NULL);
  if (!prefix) prefix = "";
  const char *ns_name = kiln_benc_get_str(req->msg, "ns", NULL);
  kiln_val ns = ns_name && *ns_name ? kiln_ns_find(kiln_sym(NULL, ns_name)) : KILN_NIL;
  if (ns == KILN_NIL) ns = req->session->vals[KILN_SV_NS] ? req->session->vals[KILN_SV_NS] : kiln_ns_user;
  kiln_ns *nsp = (kiln_ns *)ns;
  const char *slash = strchr(prefix, '/');
  if (slash && slash != prefix) {
    /* alias/x or full.ns/x */
    size_t qn = (size_t)(slash - prefix);
    char *q = kiln_alloc_atomic(qn + 2);
    memcpy(q, prefix, qn);
    q[qn] = 0;
    kiln_val target = kiln_map_get(nsp->aliases, kiln_sym(NULL, q), KILN_NIL);
    if (target == KILN_NIL) target = kiln_ns_find(kiln_sym(NULL, q));
    if (target != KILN_NIL) {
      q[qn] = '/';
      q[qn + 1] = 0;
      add_vars(&c->l, ((kiln_ns *)target)->mappings, target, q, slash + 1, true);
    }
  } else {
    add_vars(&c->l, nsp->mappings, KILN_NIL, "", prefix, false);
    for (kiln_val s = kiln_ns_all(); s != KILN_NIL; s = kiln_next(s)) {
      const char *name = kiln_ns_name(kiln_first(s));
      if (starts_with(name, prefix)) cand_add(&c->l, name, "namespace", NULL);
    }
    for (kiln_val s = kiln_seq(nsp->aliases); s != KILN_NIL; s = kiln_next(s)) {
      const char *name = kiln_sym_name(kiln_nth(kiln_first(s), 0, KILN_NIL, true));
      if (starts_with(name, prefix)) cand_add(&c->l, name, "namespace", NULL);
    }
  }
  return KILN_NIL;
}

void kiln_engine_completions(kiln_request *req) {
  compl_ctx c = {.req = req};
  kiln_val r, ex;
  bool ok = kiln_pcall(completions_body, &c, &r, &ex);
  kiln_benc *l = kiln_benc_list();
  if (ok) {
    qsort(c.l.items, c.l.n, sizeof *c.l.items, cand_cmp);
    for (size_t i = 0; i < c.l.n; i++) {
      if (i > 0 && strcmp(c.l.items[i].name, c.l.items[i - 1].name) == 0) continue;
      kiln_benc *d = kiln_benc_dict();
      kiln_benc_set_str(d, "candidate", c.l.items[i].name);
      kiln_benc_set_str(d, "type", c.l.items[i].type);
      if (c.l.items[i].ns) kiln_benc_set_str(d, "ns", c.l.items[i].ns);
      kiln_benc_push(l, d);
    }
  }
  free(c.l.items);
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set(m, "completions", l);
  kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  kiln_reply(req, m);
}

/* ---- lookup ---- */

typedef struct lookup_ctx {
  kiln_request *req;
  kiln_benc *info;
} lookup_ctx;

static kiln_val meta_get(kiln_val meta, const char *key) {
  return kiln_get(meta, kiln_kw(NULL, key), KILN_NIL);
}

static kiln_val lookup_body(void *ctx) {
  lookup_ctx *c = ctx;
  kiln_request *req = c->req;
  const char *sym = kiln_benc_get_str(req->msg, "sym", NULL);
  if (!sym) sym = kiln_benc_get_str(req->msg, "symbol", NULL);
  if (!sym || !*sym) return KILN_NIL;
  const char *ns_name = kiln_benc_get_str(req->msg, "ns", NULL);
  kiln_val ns = ns_name && *ns_name ? kiln_ns_find(kiln_sym(NULL, ns_name)) : KILN_NIL;
  if (ns == KILN_NIL) ns = req->session->vals[KILN_SV_NS] ? req->session->vals[KILN_SV_NS] : kiln_ns_user;
  kiln_val v = kiln_ns_resolve(ns, kiln_sym_parse(sym));
  if (!KILN_HAS_TYPE(v, KILN_T_VAR)) return KILN_NIL;
  kiln_var *var = (kiln_var *)v;
  kiln_val meta = var->meta;
  kiln_benc *info = kiln_benc_dict();
  kiln_benc_set_str(info, "name", kiln_sym_name(var->sym));
  kiln_benc_set_str(info, "ns", kiln_ns_name(var->ns));
  kiln_val doc = meta_get(meta, "doc");
  if (KILN_HAS_TYPE(doc, KILN_T_STRING)) kiln_benc_set_str(info, "doc", kiln_str_data(doc));
  kiln_val arglists = meta_get(meta, "arglists");
  if (arglists != KILN_NIL) {
    const char *a = KILN_HAS_TYPE(arglists, KILN_T_STRING) ? kiln_str_data(arglists)
                                                          : kiln_pr_str(arglists);
    kiln_benc_set_str(info, "arglists-str", a);
    kiln_benc_set_str(info, "arglists", a);
  }
  kiln_val file = meta_get(meta, "file");
  if (KILN_HAS_TYPE(file, KILN_T_STRING)) kiln_benc_set_str(info, "file", kiln_str_data(file));
  kiln_val line = meta_get(meta, "line"), col = meta_get(meta, "column");
  if (kiln_is_long(line)) kiln_benc_set_int(info, "line", kiln_long_value(line));
  if (kiln_is_long(col)) kiln_benc_set_int(info, "column", kiln_long_value(col));
  if (var->h.flags & KILN_VAR_MACRO) kiln_benc_set_str(info, "macro", "true");
  kiln_benc_set_str(info, "protocol", "");
  c->info = info;
  return KILN_NIL;
}

void kiln_engine_lookup(kiln_request *req) {
  lookup_ctx c = {.req = req};
  kiln_val r, ex;
  if (!kiln_pcall(lookup_body, &c, &r, &ex)) {
    kiln_benc_free(c.info);
    c.info = NULL;
  }
  kiln_benc *m = kiln_benc_dict();
  kiln_benc_set(m, "info", c.info ? c.info : kiln_benc_list());
  kiln_benc_set(m, "status", kiln_benc_strs("done", NULL));
  kiln_reply(req, m);
}
