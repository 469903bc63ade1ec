/*
 * compiler.h — turning forms into running code: analysis, macroexpansion,
 * evaluation, and loading namespaces from the embedded library or the source
 * path.
 *
 * Evaluation of a top-level form always goes: macroexpand the form; if it is
 * (do ...), evaluate each subform as its own top-level form (so a macro
 * defined by one is usable by the next, as on the JVM); otherwise analyze it
 * in the current *ns* into an implicit zero-argument fn and run that fn. The
 * runner is the interpreter unless an eval hook is installed (the C emitter
 * plugs in there for `kiln eval` without --interp and for `kiln run`).
 *
 * Errors are language exceptions. Analysis errors are
 * clojure.lang.Compiler$CompilerException whose ex-data holds
 * :clojure.error/source, :clojure.error/line and :clojure.error/column;
 * kiln_compiler_error_position reports where any exception happened.
 */
#ifndef KILN_COMPILER_H
#define KILN_COMPILER_H

#include "compiler/ast.h"

/* ---- analysis ---- */

/* Analyzes one top-level form (already macroexpanded or not) in the current
 * *ns* into a KILN_N_FN node with toplevel set: zero arguments, no captures. */
kiln_node *kiln_analyze(kiln_val form);
/* One step of macroexpansion ((macroexpand-1 form)); returns [form] itself
 * when it is not a macro call. */
kiln_val kiln_macroexpand_1(kiln_val form);
kiln_val kiln_macroexpand(kiln_val form);
/* Sets the position (in *file*) the current top-level form starts at; forms
 * without position metadata are reported there. */
void kiln_compiler_set_position(int line, int column);
/* Resolves a symbol as the analyzer would: a var, a class-name symbol, or nil. */
kiln_val kiln_compiler_resolve(kiln_val ns, kiln_val sym);
/* The JVM class name [sym] stands for (String -> "java.lang.String"), or NULL. */
const char *kiln_class_for_symbol(kiln_val sym);

/* ---- evaluation ---- */

/* Runs an analyzed top-level unit with the interpreter. */
kiln_val kiln_interp_run(kiln_node *toplevel);
/* Evaluates one form in the current *ns*. */
kiln_val kiln_eval_form(kiln_val form);

/* A replacement for running analyzed top-level units (the C emitter's
 * compile-and-load path). It returns the unit's value or throws. */
typedef kiln_val (*kiln_eval_hook)(kiln_node *toplevel, kiln_val form, void *ctx);
void kiln_compiler_set_eval_hook(kiln_eval_hook hook, void *ctx);

/* Installs the compiled (C emitter) eval path; defined by the emitter's side
 * when it is linked in. The CLI calls it unless --interp is given. */
void kiln_compile_mode_install(void);

/* ---- loading ---- */

/* Reads and evaluates every form of [text] with *file* bound to [file] and
 * *ns* bound to its current value (so in-ns inside does not leak). Returns
 * the last value. [file] may be NULL ("NO_SOURCE_PATH"). */
kiln_val kiln_load_string(const char *text, size_t n, const char *file);
/* Loads a file from the file system (load-file). */
kiln_val kiln_load_file(const char *path);
/* Loads a resource ("clojure/string.clj", or without extension: then .clj,
 * then .cljc) from the embedded library, then from the source path. Throws
 * java.io.FileNotFoundException when absent. */
kiln_val kiln_load_resource(const char *path);
/* Adds a directory to the source path (-I DIR); KILN_PATH is read at init. */
void kiln_compiler_add_path(const char *dir);
/* (require 'sym) for a namespace symbol; loads it unless already loaded. */
void kiln_require(kiln_val ns_sym, bool reload);
/* Sets *ns* (thread binding if bound, else root) to the namespace named
 * [name_sym], creating it. */
kiln_val kiln_in_ns(kiln_val name_sym);
/* The current namespace (the value of *ns*). */
kiln_val kiln_current_ns(void);

/* ---- errors ---- */

/* Where [exception] happened: its compiler data if it is a compiler error,
 * else the last form the interpreter was evaluating on this thread. Returns
 * false when unknown. *file may be "NO_SOURCE_PATH". */
bool kiln_compiler_error_position(kiln_val exception, const char **file, int *line, int *column);
/* Forgets the interpreter's last position on this thread (a new evaluation
 * starts: an error before its first call has no position). */
void kiln_interp_clear_position(void);
/* "FILE:LINE:COL: message" for [exception], as the CLI prints it (GC memory). */
const char *kiln_compiler_error_text(kiln_val exception);

#endif /* KILN_COMPILER_H */
