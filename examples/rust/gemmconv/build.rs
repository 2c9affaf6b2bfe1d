//! Finds libgemmconv with the `pkg-config` command (no crates: the build must work offline), tells
//! cargo how to link it, and asks the C compiler how it lays out the header's declarations so that
//! tests/layout.rs can prove src/sys.rs matches them.
//!
//! Environment: PKG_CONFIG (the pkg-config binary, default `pkg-config`), PKG_CONFIG_PATH (where
//! an installed prefix keeps gemmconv.pc), CC (the C compiler, default `cc`). Cross-compiling
//! (`--target` other than the host), the probe is compiled by the target's C compiler (CC_<target>
//! or TARGET_CC, as the `cc` crate names them, e.g. CC_aarch64_unknown_linux_gnu) and run by the
//! runner cargo runs the target's tests with (CARGO_TARGET_<TARGET>_RUNNER, e.g. qemu-aarch64),
//! so the layout checked is the target's.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let target = Target::from_env();
    for var in [
        "PKG_CONFIG",
        "PKG_CONFIG_PATH",
        "PKG_CONFIG_LIBDIR",
        "PKG_CONFIG_SYSROOT_DIR",
        "CC",
        "TARGET_CC",
        &target.cc_var,
        &target.runner_var,
    ] {
        println!("cargo:rerun-if-env-changed={}", var);
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=c_layout.c");

    let libs = pkg_config(&["--libs", "gemmconv"]);
    let cflags = pkg_config(&["--cflags", "gemmconv"]);
    let includedir = pkg_config(&["--variable=includedir", "gemmconv"]);
    emit_link_flags(&libs);

    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let header = Path::new(includedir.trim()).join("gemmconv.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let mut generated = probe_layout(&target, &cflags, &out_dir);
    generated.push_str(&header_functions(&header));
    fs::write(out_dir.join("c_layout.rs"), generated).expect("cannot write c_layout.rs");
}

/// The machine the crate is built for, and the variables that name its C compiler and runner.
struct Target {
    cross: bool,
    /// CC_<target> with the triple's dashes as underscores, e.g. CC_aarch64_unknown_linux_gnu.
    cc_var: String,
    /// CARGO_TARGET_<TARGET>_RUNNER, upper case, e.g. CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER.
    runner_var: String,
}

impl Target {
    fn from_env() -> Target {
        let target = env::var("TARGET").expect("cargo sets TARGET");
        let host = env::var("HOST").expect("cargo sets HOST");
        let underscored = target.replace(['-', '.'], "_");
        Target {
            cross: target != host,
            cc_var: format!("CC_{}", underscored),
            runner_var: format!("CARGO_TARGET_{}_RUNNER", underscored.to_uppercase()),
        }
    }

    /// The C compiler for the target: CC for a native build; CC_<target>, then TARGET_CC, for a
    /// cross build.
    fn c_compiler(&self) -> String {
        let names = if self.cross {
            vec![self.cc_var.as_str(), "TARGET_CC"]
        } else {
            vec!["CC"]
        };
        names
            .iter()
            .find_map(|name| env::var(name).ok())
            .unwrap_or_else(|| {
                assert!(
                    !self.cross,
                    "cross-compiling: set {} (or TARGET_CC) to the target's C compiler",
                    self.cc_var
                );
                "cc".to_string()
            })
    }

    /// The command that runs a target program: itself natively, through the runner cross.
    fn run(&self, exe: &Path) -> Command {
        if !self.cross {
            return Command::new(exe);
        }
        let runner = env::var(&self.runner_var).unwrap_or_else(|_| {
            panic!(
                "cross-compiling: set {} (e.g. qemu-aarch64) to run the C layout probe",
                self.runner_var
            )
        });
        let mut words = runner.split_whitespace();
        let mut command = Command::new(words.next().expect("an empty runner"));
        command.args(words).arg(exe);
        command
    }
}

/// Runs pkg-config with `args` and returns its standard output, or stops the build with a message
/// that says how to fix the search path.
fn pkg_config(args: &[&str]) -> String {
    let program = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let output = Command::new(&program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{}`: {} (install pkg-config)", program, e));
    if !output.status.success() {
        panic!(
            "`{} {}` failed: {}\nInstall libgemmconv, or point PKG_CONFIG_PATH at the directory \
             holding its gemmconv.pc (<prefix>/lib/pkgconfig).",
            program,
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).expect("pkg-config printed non-UTF-8 output")
}

/// Turns `pkg-config --libs` output into cargo directives: -L into search paths, -l into libraries
/// (the link itself is declared here, not by #[link] in the source), anything else passed through.
fn emit_link_flags(libs: &str) {
    for flag in libs.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={}", dir);
        } else if let Some(name) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={}", name);
        } else {
            println!("cargo:rustc-link-arg={}", flag);
        }
    }
}

/// Compiles and runs c_layout.c against the installed header, for the target; returns what it
/// printed (Rust constants describing the C layout).
fn probe_layout(target: &Target, cflags: &str, out_dir: &Path) -> String {
    let cc = target.c_compiler();
    let exe = out_dir.join("c_layout");
    let status = Command::new(&cc)
        .arg("-std=c11")
        .args(cflags.split_whitespace())
        .arg("c_layout.c")
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{}`: {}", cc, e));
    assert!(status.success(), "the C layout probe did not compile");
    let output = target
        .run(&exe)
        .output()
        .expect("cannot run the C layout probe");
    assert!(output.status.success(), "the C layout probe failed");
    String::from_utf8(output.stdout).expect("the C layout probe printed non-UTF-8 output")
}

/// The names of the functions the header exports (each declaration carries GEMMCONV_API), as a
/// Rust constant, so that a test can check that src/sys.rs declares every one of them.
fn header_functions(header: &Path) -> String {
    let text = fs::read_to_string(header)
        .unwrap_or_else(|e| panic!("cannot read {}: {}", header.display(), e));
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = String::from("\npub const C_FUNCTIONS: &[&str] = &[\n");
    for declaration in code.split("GEMMCONV_API").skip(1) {
        let before_paren = declaration.split('(').next().unwrap_or("");
        let name = before_paren
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|s| !s.is_empty())
            .unwrap_or("");
        names.push_str(&format!("    \"{}\",\n", name));
    }
    names.push_str("];\n");
    names
}
