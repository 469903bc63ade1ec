import CKiln
import Foundation
import SwiftUI

/// Owns the Kiln runtime: loads demo.clj, connects to `kiln serve`, and
/// applies patches on the main queue so views never see a half-applied change.
final class Kiln: ObservableObject {
    private let rt: OpaquePointer
    @Published var text = ""

    init() {
        rt = kiln_runtime_new()
        kiln_thread_attach()
        var err = kiln_error()
        if let url = Bundle.module.url(forResource: "demo", withExtension: "clj"),
           let source = try? String(contentsOf: url) {
            if kiln_eval(rt, source, "user", nil, &err) != 0 {
                text = "demo.clj failed: " + String(cString: &err.message.0)
            }
        }
        // Patches are applied on the main queue, between frames.
        kiln_set_executor(rt, { work, ctx, _ in
            DispatchQueue.main.sync { work?(ctx) }
        }, nil)
        // The server's address and token come from the environment Xcode passes
        // (Edit Scheme > Run > Environment): KILN_HOST, KILN_DEVICE_PORT, KILN_TOKEN.
        let env = ProcessInfo.processInfo.environment
        var opts = kiln_device_opts()
        let host = strdup(env["KILN_HOST"] ?? "127.0.0.1")
        let token = strdup(env["KILN_TOKEN"] ?? "")
        let name = strdup(UIDevice.current.name)
        opts.host = UnsafePointer(host)
        opts.port = Int32(env["KILN_DEVICE_PORT"] ?? "7889") ?? 7889
        opts.token = UnsafePointer(token)
        opts.name = UnsafePointer(name)
        _ = kiln_device_start(rt, &opts, &err)
        Timer.scheduledTimer(withTimeInterval: 0.2, repeats: true) { [weak self] _ in self?.refresh() }
    }

    func call(_ name: String, _ args: [kiln_val] = []) -> kiln_val {
        var result = kiln_val(0)
        var err = kiln_error()
        if kiln_call_var(rt, "demo.app", name, UInt32(args.count), args, &result, &err) != 0 {
            return kiln_new_string(String(cString: &err.message.0))
        }
        return result
    }

    func refresh() {
        let taps = kiln_deref(kiln_find_var(rt, "demo.app", "taps"))
        let count = call("greeting", [kiln_call_var_deref(taps)])
        text = String(cString: kiln_string_value(count) ?? kiln_to_string(count))
    }

    func tap() { _ = call("tap!") }
}

/// The value inside an atom, through clojure.core/deref.
private func kiln_call_var_deref(_ atom: kiln_val) -> kiln_val {
    var result = kiln_val(0)
    var err = kiln_error()
    var arg = atom
    _ = kiln_call_var(nil, "clojure.core", "deref", 1, &arg, &result, &err)
    return result
}

@main
struct KilnDemoApp: App {
    @StateObject private var kiln = Kiln()
    var body: some Scene {
        WindowGroup {
            VStack(spacing: 24) {
                Text(kiln.text).font(.title2).multilineTextAlignment(.center)
                Button("Tap") { kiln.tap() }.buttonStyle(.borderedProminent)
            }.padding()
        }
    }
}
