//! One emulator per state file: an OS advisory lock (`File::try_lock`, flock on Unix) on a
//! `<state>.lock` file next to the state, held for as long as the emulator runs. A second emulator
//! on the same state — another process, or another in-process emulator such as the one behind
//! `--local` — fails fast naming the holder (pid and start time, written into the lock file). The
//! operating system releases the lock when its holder exits, crashed or not, so a stale lock never
//! needs cleaning up. The lock file is never deleted: unlinking it while another process waits to
//! lock it would let two holders lock two different files.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::emulator::clock;
use crate::emulator::error::EmulatorError;

/// Held while the emulator runs; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct StateLock {
    _file: File,
}

/// `state.json` → `state.json.lock`.
pub(crate) fn lock_path(state: &Path) -> PathBuf {
    let mut name = state
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "state".into());
    name.push(".lock");
    state.with_file_name(name)
}

/// Takes the lock for `state`, or says who holds it.
pub(crate) fn acquire(state: &Path) -> Result<StateLock, EmulatorError> {
    let path = lock_path(state);
    let write_err = |source| EmulatorError::Write {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write_err)?;
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(write_err)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            return Err(EmulatorError::StateInUse {
                path: state.to_path_buf(),
                holder: holder(&path),
            });
        }
        Err(TryLockError::Error(source)) => return Err(write_err(source)),
    }
    let stamp = json!({
        "pid": std::process::id(),
        "since": clock::rfc3339(clock::now_ms()),
    });
    file.set_len(0).map_err(write_err)?;
    (&file)
        .write_all(stamp.to_string().as_bytes())
        .map_err(write_err)?;
    Ok(StateLock { _file: file })
}

/// "pid 4242, since 2026-…Z", from what the holder wrote into the lock file.
fn holder(lock: &Path) -> String {
    let text = std::fs::read_to_string(lock).unwrap_or_default();
    let stamp: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match (stamp["pid"].as_u64(), stamp["since"].as_str()) {
        (Some(pid), Some(since)) => format!("pid {pid}, since {since}"),
        _ => "a process that has not identified itself yet".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{acquire, lock_path};

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = std::env::temp_dir().join(format!("azplan-lock-unit-{}", std::process::id()));
        let state = dir.join("state.json");
        let first = acquire(&state).expect("first holder");
        let err = acquire(&state).expect_err("second holder refused");
        let text = err.to_string();
        assert!(
            text.contains(&format!("pid {}", std::process::id())) && text.contains("since "),
            "{text}"
        );
        drop(first);
        let again = acquire(&state).expect("released on drop");
        drop(again);
        assert!(lock_path(&state).ends_with("state.json.lock"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
