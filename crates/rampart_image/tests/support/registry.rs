//! A real registry for tests: Debian's `docker-registry` (distribution 2.8) on an ephemeral
//! 127.0.0.1 port, optionally with TLS (a CA made with `openssl`) and htpasswd users, and the
//! tools around it. Shared by `rampart_image`'s registry tests and `rampart_cli`'s signature
//! tests (`#[path]`-included).
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Tools

pub fn have(tool: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {tool} >/dev/null")]).status().is_ok_and(|s| s.success())
}

/// True when the external tools are there; otherwise prints why the test is skipped (or fails
/// when `RAMPART_REQUIRE_EXTERNAL=1`, as in CI).
pub fn tools_present() -> bool {
    let missing: Vec<&str> = ["docker-registry", "skopeo", "openssl"].into_iter().filter(|t| !have(t)).collect();
    if missing.is_empty() {
        return true;
    }
    let message =
        format!("registry tests need {} (apt-get install docker-registry skopeo openssl)", missing.join(", "));
    assert!(std::env::var("RAMPART_REQUIRE_EXTERNAL").as_deref() != Ok("1"), "{message}");
    eprintln!("note: skipped: {message}");
    false
}

pub fn run(command: &mut Command) -> String {
    let output = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `user:$2…` for the registry's htpasswd file (it takes bcrypt only), at the lowest cost:
/// the registry checks the password on every request.
pub fn htpasswd_line(user: &str, password: &str) -> String {
    let attempts: [(&str, Vec<&str>); 3] = [
        ("htpasswd", vec!["-nbB", "-C", "4", user, password]),
        (
            "python3",
            vec![
                "-W",
                "ignore",
                "-c",
                "import crypt,sys; print(sys.argv[1]+':'+crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))",
                user,
                password,
            ],
        ),
        (
            "python3",
            vec![
                "-c",
                "import bcrypt,sys; print(sys.argv[1]+':'+bcrypt.hashpw(sys.argv[2].encode(), bcrypt.gensalt(rounds=4)).decode())",
                user,
                password,
            ],
        ),
    ];
    for (program, args) in attempts {
        let Ok(output) = Command::new(program).args(&args).stderr(Stdio::null()).output() else { continue };
        let line = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if output.status.success() && line.starts_with(&format!("{user}:$2")) {
            return line;
        }
    }
    panic!("no bcrypt htpasswd maker: apt-get install apache2-utils (or python3 with crypt or bcrypt)");
}

// ---------------------------------------------------------------------------------------------
// Registries

/// A `docker-registry` on 127.0.0.1. A watchdog shell stops it when this process exits (the
/// shared registries live in statics, which are never dropped) or when the guard is dropped.
pub struct Registry {
    pub dir: PathBuf,
    pub host: String,
    shell: std::process::Child,
}

#[derive(Default)]
pub struct Setup {
    pub htpasswd: Option<String>,
    pub tls: bool,
}

impl Registry {
    pub fn start(setup: Setup) -> Registry {
        let dir = tempfile::Builder::new().prefix("rampart-registry-").tempdir().unwrap().keep();
        let mut tls = String::new();
        if setup.tls {
            make_certificates(&dir);
            tls = format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                dir.join("cert.pem").display(),
                dir.join("key.pem").display()
            );
        }
        let mut auth = String::new();
        if let Some(line) = &setup.htpasswd {
            std::fs::write(dir.join("htpasswd"), format!("{line}\n")).unwrap();
            auth =
                format!("auth:\n  htpasswd:\n    realm: rampart-test\n    path: {}\n", dir.join("htpasswd").display());
        }
        // A free port can be taken between the probe and the registry's bind: retry.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let host = format!("127.0.0.1:{port}");
            let config = format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {host}\n  secret: rampart-test\n{tls}{auth}",
                dir.join("data").display()
            );
            std::fs::write(dir.join("config.yml"), config).unwrap();
            let _ = std::fs::remove_file(dir.join("stop"));
            let script = r#"docker-registry serve "$1" >"$2" 2>&1 & r=$!
while kill -0 "$3" 2>/dev/null && [ ! -e "$4" ] && kill -0 "$r" 2>/dev/null; do sleep 0.2; done
kill "$r" 2>/dev/null; wait "$r" 2>/dev/null
[ -e "$4" ] || rm -rf "$5""#;
            let shell = Command::new("sh")
                .args(["-c", script, "sh"])
                .arg(dir.join("config.yml"))
                .arg(dir.join("registry.log"))
                .arg(std::process::id().to_string())
                .arg(dir.join("stop"))
                .arg(&dir)
                .stdin(Stdio::null())
                .spawn()
                .unwrap();
            let mut registry = Registry { dir: dir.clone(), host: host.clone(), shell };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = registry.shell.try_wait() {
                    break;
                }
                if TcpStream::connect(&host).is_ok() {
                    return registry;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            registry.stop();
        }
        let log = std::fs::read_to_string(dir.join("registry.log")).unwrap_or_default();
        panic!("docker-registry did not start: {log}");
    }

    pub fn stop(&mut self) {
        let _ = std::fs::write(self.dir.join("stop"), b"");
        let _ = self.shell.wait();
    }

    pub fn reference(&self, name: &str) -> String {
        format!("{}/{name}", self.host)
    }

    /// `skopeo copy` a layout into the registry.
    pub fn push(&self, layout: &Path, tag: &str, name: &str, extra: &[&str]) {
        let mut command = Command::new("skopeo");
        command.args(["copy", "-q"]);
        if self.dir.join("cert.pem").exists() {
            command.arg("--dest-cert-dir").arg(self.dir.join("certdir"));
        } else {
            command.arg("--dest-tls-verify=false");
        }
        if let Ok(line) = std::fs::read_to_string(self.dir.join("htpasswd")) {
            let user = line.split(':').next().unwrap_or_default();
            command.args(["--dest-creds", &format!("{user}:{PASSWORD}")]);
        }
        command.args(extra);
        command.arg(format!("oci:{}:{tag}", layout.display()));
        command.arg(format!("docker://{}", self.reference(name)));
        run(&mut command);
    }

    /// The file holding a blob in the registry's storage.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir.join(format!("data/docker/registry/v2/blobs/sha256/{}/{hex}/data", &hex[..2]))
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn make_certificates(dir: &Path) {
    // A CA and a leaf it signs: rustls refuses a self-signed CA certificate as the server's.
    let certdir = dir.join("certdir");
    std::fs::create_dir_all(&certdir).unwrap();
    let p = |name: &str| dir.join(name).display().to_string();
    run(Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"])
        .args(["-days", "2", "-subj", "/CN=rampart test CA", "-keyout", &p("ca.key"), "-out", &p("ca.pem")])
        .args(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]));
    run(Command::new("openssl")
        .args(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"])
        .args(["-subj", "/CN=localhost", "-keyout", &p("key.pem"), "-out", &p("leaf.csr")]));
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-in", &p("leaf.csr"), "-CA", &p("ca.pem"), "-CAkey", &p("ca.key")])
        .args(["-CAcreateserial", "-days", "2", "-out", &p("cert.pem"), "-extfile", &p("leaf.ext")]));
    std::fs::copy(dir.join("ca.pem"), certdir.join("ca.crt")).unwrap();
}

pub const USER: &str = "rampart";
pub const PASSWORD: &str = "s3cret:pw";
