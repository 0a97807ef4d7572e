//! The real binary in a pseudo-terminal, its screen read through vt100.

use std::io::{Read as _, Write as _};
use std::num::NonZeroU16;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// A running `plivo-dash` and what its terminal shows.
pub struct Pty {
    screen: Arc<Mutex<vt100::Parser>>,
    bells: Arc<AtomicUsize>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn std::io::Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    _home: tempfile::TempDir,
}

impl Pty {
    /// Starts the binary with `args` and `env` (and nothing else from this
    /// process's environment) in a `cols`×`rows` terminal.
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: NonZeroU16, rows: NonZeroU16) -> Self {
        Self::spawn_program(env!("CARGO_BIN_EXE_plivo-dash"), args, env, cols, rows)
    }

    /// Like [`Pty::spawn`], for another program (a shell that redirects
    /// plivo-dash's output, say); `PLIVO_DASH` holds the binary's path.
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        env: &[(&str, &str)],
        cols: NonZeroU16,
        rows: NonZeroU16,
    ) -> Self {
        let home = tempfile::tempdir().expect("tempdir");
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: rows.get(),
                cols: cols.get(),
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env_clear();
        cmd.env("PLIVO_DASH", env!("CARGO_BIN_EXE_plivo-dash"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let feed = screen.clone();
        let bells = Arc::new(AtomicUsize::new(0));
        let rung = bells.clone();
        let raw = Arc::new(Mutex::new(Vec::new()));
        let record = raw.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                // The app never sends OSC sequences, so every BEL is a bell.
                rung.fetch_add(
                    buf[..n].iter().filter(|b| **b == 0x07).count(),
                    Ordering::SeqCst,
                );
                feed.lock().expect("screen").process(&buf[..n]);
                record.lock().expect("raw").extend_from_slice(&buf[..n]);
            }
        });
        Self {
            screen,
            bells,
            raw,
            writer,
            child,
            _master: pair.master,
            _home: home,
        }
    }

    /// Every byte the program wrote to the terminal so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().expect("raw").clone()
    }

    /// How many times the terminal bell has rung.
    pub fn bells(&self) -> usize {
        self.bells.load(Ordering::SeqCst)
    }

    /// The home directory the program was given (empty at start).
    pub fn home(&self) -> &std::path::Path {
        self._home.path()
    }

    /// The process id of the binary.
    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Sends the binary `signal` (`-TERM`, `-KILL`…) with kill(1).
    pub fn signal(&self, signal: &str) {
        let pid = self.pid().expect("pid");
        let status = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// The terminal's state now (modes as well as text).
    pub fn screen(&self) -> vt100::Screen {
        self.screen.lock().expect("screen").screen().clone()
    }

    /// The screen's text now.
    pub fn contents(&self) -> String {
        self.screen.lock().expect("screen").screen().contents()
    }

    /// Waits until the screen holds `needle`; panics with the screen if it
    /// never does.
    pub fn wait_for(&self, needle: &str) {
        self.wait_until(needle, |s| s.contains(needle));
    }

    /// Waits until `ok` holds for the screen's text.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) {
        self.wait_screen(what, |screen| ok(&screen.contents()));
    }

    /// Waits until `ok` holds for the screen (text, cursor and modes).
    pub fn wait_screen(&self, what: &str, ok: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return;
            }
            let text = screen.contents();
            assert!(
                Instant::now() < deadline,
                "never saw {what:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Types raw bytes, as the terminal would send them.
    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).expect("write");
        self.writer.flush().expect("flush");
        // Keys arrive one read at a time, as a person types, so an escape
        // sequence is never split or merged with the next key.
        std::thread::sleep(Duration::from_millis(40));
    }

    /// Waits for the process to end and returns its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "did not exit; screen:\n{}",
                self.contents()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Keys as a terminal sends them.
pub mod keys {
    pub const TAB: &str = "\t";
    pub const ENTER: &str = "\r";
    pub const DOWN: &str = "\x1b[B";
    pub const END: &str = "\x1b[F";
    pub const LEFT: &str = "\x1b[D";
    pub const BACKSPACE: &str = "\x7f";
    pub const CTRL_C: &str = "\x03";
    pub const CTRL_S: &str = "\x13";
}
