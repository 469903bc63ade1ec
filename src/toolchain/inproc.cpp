/*
 * inproc.cpp — the in-process toolchain module: clang and lld as libraries.
 *
 * Built as its own shared module (libkiln-toolchain) and loaded by
 * toolchain_inproc.c with dlopen, so programs that never build a patch never
 * pay for libLLVM. It exports kiln_tcm_get (inproc.h).
 *
 * Compiling: the clang driver library turns the same command line the
 * spawning driver runs into cc1 arguments (once per distinct command line,
 * remembered), CompilerInvocation::CreateFromArgs reads them, and an
 * EmitObjAction compiles the C from a remapped in-memory file into an
 * in-memory stream. -mllvm options are parsed here, with their occurrence
 * counts reset first and errors reported instead of exiting the process.
 *
 * Linking: lld::elf::link / lld::macho::link with the spawning driver's
 * command line, then lld::CommonLinkerContext::destroy(), which lld 14 needs
 * before the next link in the same process. lld keeps global state and
 * LLVM's options are global, so the module runs one step at a time. A
 * fatal lld error, or more errors than its limit, would end the process
 * through exit(): the link runs in a CrashRecoveryContext so that it returns
 * here instead (with the runtime's SIGSEGV/SIGBUS handlers left in place).
 */
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/Version.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Driver/Compilation.h>
#include <clang/Driver/Driver.h>
#include <clang/Driver/Job.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Lex/PreprocessorOptions.h>
#include <lld/Common/CommonLinkerContext.h>
#include <lld/Common/Driver.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/Signals.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "toolchain/inproc.h"

#ifndef KILN_TCM_CLANG
#define KILN_TCM_CLANG "/usr/lib/llvm-14/bin/clang"
#endif

/* lld/Common/Version.h includes a Version.inc that Debian's liblld-14-dev
 * does not ship; the one function it declares is all this file needs. */
namespace lld {
std::string getLLDVersion();
}

namespace {

/* One step at a time: lld's state is global, and so are LLVM's command-line
 * options, which compiles parse (-mllvm) and a first link registers. */
std::mutex step_mu;
std::once_flag targets_once;
/* Driver command line (without the input) -> cc1 arguments (after "-cc1"). */
std::map<std::string, std::vector<std::string>> cc1_memo;

char *malloc_text(const std::string &s) {
  if (s.empty()) return nullptr;
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

/* The cc1 arguments for a clang driver command line, through the driver
 * library exactly as `clang ... -###` would print them. */
bool cc1_args(const std::vector<const char *> &argv, std::vector<std::string> &out,
              llvm::raw_ostream &os) {
  std::string key;
  for (const char *a : argv) (key += a) += '\0';
  auto hit = cc1_memo.find(key);
  if (hit != cc1_memo.end()) {
    out = hit->second;
    return true;
  }
  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> dopts(new clang::DiagnosticOptions());
  clang::TextDiagnosticPrinter printer(os, dopts.get());
  printer.setPrefix("clang");
  clang::DiagnosticsEngine diags(new clang::DiagnosticIDs(), dopts, &printer, false);
  clang::driver::Driver drv(KILN_TCM_CLANG, llvm::sys::getDefaultTargetTriple(), diags);
  drv.setCheckInputsExist(false);
  std::unique_ptr<clang::driver::Compilation> c(drv.BuildCompilation(argv));
  if (!c || diags.hasErrorOccurred()) return false;
  const clang::driver::JobList &jobs = c->getJobs();
  if (jobs.size() != 1 || !llvm::isa<clang::driver::Command>(*jobs.begin())) {
    os << "clang: error: the command line does not make exactly one compile job\n";
    return false;
  }
  const llvm::opt::ArgStringList &args = jobs.begin()->getArguments();
  if (args.empty() || llvm::StringRef(args[0]) != "-cc1") {
    os << "clang: error: the command line does not run clang -cc1\n";
    return false;
  }
  /* cc1 leaks its AST and code generator on purpose (-disable-free), as it
   * exits next; this process goes on. */
  out.clear();
  for (size_t i = 1; i < args.size(); i++)
    if (llvm::StringRef(args[i]) != "-disable-free") out.emplace_back(args[i]);
  cc1_memo.emplace(std::move(key), out);
  return true;
}

int compile(const char *const *argv_in, int argc, const char *path, const char *src, size_t n,
            uint8_t **obj, size_t *objn, char **diag) {
  std::lock_guard<std::mutex> guard(step_mu);
  std::call_once(targets_once, [] {
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    llvm::InitializeAllAsmParsers();
  });
  *obj = nullptr;
  *objn = 0;
  *diag = nullptr;
  std::string text;
  llvm::raw_string_ostream os(text);

  /* The driver's command line, with this library's clang as argv[0] (it
   * decides the resource directory) and without -o. */
  std::vector<const char *> argv{KILN_TCM_CLANG};
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv_in[i], "-o") == 0 && i + 1 < argc) {
      i++;
      continue;
    }
    argv.push_back(argv_in[i]);
  }
  std::vector<std::string> cc1;
  if (!cc1_args(argv, cc1, os)) {
    os.flush();
    *diag = malloc_text(text);
    return -1;
  }
  std::vector<const char *> args;
  for (const std::string &a : cc1) args.push_back(a.c_str());

  auto inv = std::make_shared<clang::CompilerInvocation>();
  {
    llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> dopts(new clang::DiagnosticOptions());
    clang::TextDiagnosticPrinter printer(os, dopts.get());
    clang::DiagnosticsEngine diags(new clang::DiagnosticIDs(), dopts, &printer, false);
    if (!clang::CompilerInvocation::CreateFromArgs(*inv, args, diags, KILN_TCM_CLANG) ||
        diags.hasErrorOccurred()) {
      os.flush();
      *diag = malloc_text(text);
      return -1;
    }
  }
  clang::FrontendOptions &fo = inv->getFrontendOpts();
  fo.DisableFree = false;
  inv->getCodeGenOpts().DisableFree = false;
  fo.OutputFile = "-";
  /* -mllvm options live in LLVM's global option table: parse them here, so
   * a repeated option is not an error and an error does not exit. */
  std::vector<std::string> llvm_args;
  llvm_args.swap(fo.LLVMArgs);
  if (!llvm_args.empty()) {
    std::vector<const char *> a{"clang (LLVM option parsing)"};
    for (const std::string &s : llvm_args) a.push_back(s.c_str());
    llvm::cl::ResetAllOptionOccurrences();
    if (!llvm::cl::ParseCommandLineOptions(static_cast<int>(a.size()), a.data(), "", &os)) {
      os.flush();
      *diag = malloc_text(text);
      return -1;
    }
  }

  clang::CompilerInstance ci;
  ci.setInvocation(inv);
  ci.createDiagnostics(new clang::TextDiagnosticPrinter(os, &inv->getDiagnosticOpts()), true);
  ci.setVerboseOutputStream(os);
  ci.getPreprocessorOpts().addRemappedFile(
      path, llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(src, n), path).release());
  llvm::SmallVector<char, 0> bytes;
  ci.setOutputStream(std::make_unique<llvm::raw_svector_ostream>(bytes));
  clang::EmitObjAction action;
  bool ok = ci.ExecuteAction(action) && !ci.getDiagnostics().hasErrorOccurred();
  os.flush();
  *diag = malloc_text(text);
  if (!ok) return 1;
  *obj = static_cast<uint8_t *>(std::malloc(bytes.size() ? bytes.size() : 1));
  if (!*obj) return -1;
  std::memcpy(*obj, bytes.data(), bytes.size());
  *objn = bytes.size();
  return 0;
}

int link(int macho, const char *const *argv, int argc, char **diag) {
  std::lock_guard<std::mutex> guard(step_mu);
  *diag = nullptr;
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::ArrayRef<const char *> args(argv, static_cast<size_t>(argc));
  bool ok = false;
  /* Enabling crash recovery installs LLVM's handlers for SIGSEGV and SIGBUS
   * too, process-wide, and those would take a stack overflow on another
   * thread from the runtime's stack guard (and run without an alternate
   * stack). Only the exit path is wanted: the previous SIGSEGV and SIGBUS
   * handlers go straight back, and Disable restores the same ones. */
  struct sigaction segv, bus;
  sigaction(SIGSEGV, nullptr, &segv);
  sigaction(SIGBUS, nullptr, &bus);
  llvm::CrashRecoveryContext::Enable();
  sigaction(SIGSEGV, &segv, nullptr);
  sigaction(SIGBUS, &bus, nullptr);
  {
    llvm::CrashRecoveryContext crc;
    bool returned = crc.RunSafely([&] {
      ok = macho ? lld::macho::link(args, os, os, false, false)
                 : lld::elf::link(args, os, os, false, false);
    });
    if (!returned) ok = false;
  }
  llvm::CrashRecoveryContext::Disable();
  /* lld registered its output file for removal on a signal, which installed
   * LLVM's handlers for SIGINT, SIGTERM, SIGPIPE and more, once-only: the
   * process's own handlers (kiln serve's SIGINT, the stack guard) go back. */
  llvm::sys::unregisterHandlers();
  lld::CommonLinkerContext::destroy();
  os.flush();
  *diag = malloc_text(text);
  return ok ? 0 : 1;
}

std::string version_text() {
  return clang::getClangFullVersion() + "\n" + lld::getLLDVersion() + " (in-process)";
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const kiln_tcm *kiln_tcm_get(void) {
  static const std::string version = version_text();
  static const kiln_tcm table = {KILN_TCM_ABI, version.c_str(), compile, link};
  return &table;
}
