#!/usr/bin/env python3
"""Drives the INSTALLED desktop app (/usr/bin/hush-desktop from the .deb) through WebDriver.

Usage (under Xvfb and scripts/with-keyring.sh, as packaging/test.sh runs it):
    python3 packaging/installed_app.py APP VAULT PASSPHRASE VERSION COMMIT ARTIFACTS_DIR

Starts tauri-driver on free ports (its own process group, stopped at the end), opens a session on
a launcher that points the app at VAULT (made by the installed CLI) and at throw-away XDG dirs,
waits for the first screen (the lock screen), screenshots it, unlocks with PASSPHRASE, opens
Settings and checks that About names VERSION and COMMIT, screenshots that, and closes the
session. A plain W3C WebDriver client (urllib), so the check needs nothing from the build tree.
"""
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "support", "paint-nudge.js")) as _f:
    PAINT_NUDGE = _f.read()


def free_ports(n):
    """n distinct free loopback ports (all held open while they are picked)."""
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class WebDriver:
    def __init__(self, url):
        self.url = url
        self.session = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.load(r).get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: HTTP {e.code}: {e.read()[:500]!r}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def find(self, css):
        try:
            return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]
        except RuntimeError:
            return None

    def text(self, css):
        """The text of the first element matching css, or None; read in the page, so that no
        element handle can go stale between finding it and reading it."""
        return self.s("POST", "/execute/sync", {
            "script": "const e = document.querySelector(arguments[0]); return e ? e.textContent : null;",
            "args": [css]})

    def wait(self, css, pred=lambda text: True, timeout=30):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            last = self.text(css)
            if last is not None and pred(last):
                el = self.find(css)
                if el is not None:
                    return el, last
            time.sleep(0.2)
        raise AssertionError(f"{css}: not there (or text {last!r} did not match) within {timeout}s")

    def screenshot(self, path):
        # WebKitGTK's Take Screenshot waits for the view's next presentation update, which the
        # shared-memory renderer (chosen by the app without a GPU render node, as under Xvfb)
        # does not make while the page is still: keep one invisible pixel changing meanwhile
        # (tests/support/paint.rs says more). The script also waits until the last DOM change
        # is painted.
        self.s("POST", "/execute/async", {"script": PAINT_NUDGE, "args": []})
        try:
            png = base64.b64decode(self.s("GET", "/screenshot"))
        finally:
            self.s("POST", "/execute/sync", {
                "script": "document.getElementById('__hush_paint_nudge')?.remove(); return true;",
                "args": []})
        assert png.startswith(b"\x89PNG") and len(png) > 1000, "screenshot is not a PNG"
        with open(path, "wb") as f:
            f.write(png)
        print(f"installed app: screenshot {path} ({len(png)} bytes)")


def launcher(tmp, app, vault):
    for sub in ("data", "config", "cache"):
        os.makedirs(os.path.join(tmp, sub), exist_ok=True)
    path = os.path.join(tmp, "hush-desktop-installed")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n")
        for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
            f.write(f"export {var}='{os.path.join(tmp, sub)}'\n")
        f.write(f"exec '{app}' --vault '{vault}'\n")
    os.chmod(path, 0o755)
    return path


def stop(proc):
    """Stops tauri-driver's whole process group (WebKitWebDriver and the app included)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def attempt(app, vault, passphrase, version, commit, artifacts, log):
    port, native = free_ports(2)
    driver = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native)],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wd = WebDriver(f"http://127.0.0.1:{port}")
    try:
        for _ in range(100):
            try:
                wd.call("GET", "/status", timeout=1)
                break
            except (OSError, RuntimeError):
                time.sleep(0.2)
        with tempfile.TemporaryDirectory() as tmp:
            caps = {"browserName": "wry", "tauri:options": {"application": launcher(tmp, app, vault)}}
            created = wd.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}}, timeout=90)
            wd.session = created["sessionId"]
            try:
                # First screen: a vault exists (made by the installed CLI), so the lock screen.
                _, heading = wd.wait("#app h1", lambda t: "Hush" in t)
                assert wd.s("GET", "/title") == "Hush", "window title"
                wd.screenshot(os.path.join(artifacts, "installed-app-01-first-screen.png"))
                print(f"installed app: first screen {heading!r}")
                el, _ = wd.wait("#unlock-passphrase")
                wd.s("POST", f"/element/{el}/value", {"text": passphrase})
                el, _ = wd.wait("#unlock")
                wd.s("POST", f"/element/{el}/click", {})
                el, _ = wd.wait("#nav-settings")
                wd.s("POST", f"/element/{el}/click", {})
                el, about = wd.wait("#about-version", lambda t: version in t and commit in t)
                wd.s("POST", "/execute/sync", {"script": "arguments[0].scrollIntoView()", "args": [{ELEMENT: el}]})
                wd.screenshot(os.path.join(artifacts, "installed-app-02-about.png"))
                print(f"installed app: About says {about!r}")
            finally:
                try:
                    wd.call("DELETE", f"/session/{wd.session}")
                except (OSError, RuntimeError):
                    pass
    finally:
        stop(driver)


def main():
    app, vault, passphrase, version, commit, artifacts = sys.argv[1:7]
    with open(os.path.join(artifacts, "installed-app-tauri-driver.log"), "w") as log:
        try:
            attempt(app, vault, passphrase, version, commit, artifacts, log)
        except (ConnectionError, urllib.error.URLError) as e:
            # WebKitWebDriver has been seen to drop a connection under load (its own crash, not
            # the app's: tauri-driver logs "client error (SendRequest)"). One more go, loudly.
            print(f"installed app: the WebDriver connection broke ({e!r}); trying once more")
            log.write(f"\n---- the first attempt broke: {e!r}; second attempt ----\n")
            log.flush()
            attempt(app, vault, passphrase, version, commit, artifacts, log)


if __name__ == "__main__":
    main()
