#!/usr/bin/python3
"""Drives Strata's web page in headless Chromium (Debian's chromium,
chromium-driver and python3-selenium) for tests/integration/test_web.sh.

  web_check.py SCENARIO BASE_URL SHOT_DIR [ARGS...]

Prints "ok - WHAT" per check and exits 0; on a failure prints
"FAIL: WHAT" and exits 1, after saving a screenshot. Scenarios:

  browse OUT_FILE    auth off: sources, refs, declared images, package search
                     by name and by description, hostile text and queries, the
                     pull command builder and its pinned forms (written to
                     OUT_FILE for the shell to pull), a phone-sized window
  build ID1 ID2      auth off: build ID1's page shows its log while it runs,
                     then its end; build ID2 (a failing one) shows its error
  auth USER PW ADMIN ADMIN_PW TOKEN
                     auth on: USER sees only granted sources and packages,
                     no builds or access lists; ADMIN sees them; credentials
                     never in web storage; USER signs in with the API token
                     TOKEN too; a wrong password is refused
"""
import json
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

SCENARIO, BASE, SHOTS = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
ARGS = sys.argv[4:]
HOST = BASE.split("://", 1)[1]


def start():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


driver = start()
shot_count = [0]


def shot(name):
    shot_count[0] += 1
    path = "%s/%s-%02d-%s.png" % (SHOTS, SCENARIO, shot_count[0], name)
    driver.save_screenshot(path)
    return path


def fail(what):
    try:
        print("FAIL: %s (screenshot %s)" % (what, shot("failure")), flush=True)
        print("page text: %s" % driver.find_element(By.TAG_NAME, "body").text[:2000])
    finally:
        driver.quit()
    sys.exit(1)


def ok(what):
    print("ok - %s" % what, flush=True)


def wait_for(what, condition, timeout=30):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition())
    except TimeoutException:
        fail("timed out waiting: " + what)


def find(css):
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0] if found else None


def text(css):
    e = find(css)
    return e.text if e else ""


def visible(css):
    e = find(css)
    return e is not None and e.is_displayed()


def click(css):
    e = wait_for("clickable " + css, lambda: find(css) if visible(css) else None)
    e.click()


def expect(condition, what):
    if not condition:
        fail(what)
    ok(what)


def search(query):
    q = find("#q")
    q.clear()
    q.send_keys(query)
    click("#search-button")
    wait_for("search of %r answered" % query,
             lambda: text("#message") and not text("#message").startswith("Searching"))


def rows():
    return [r.get_attribute("data-attr") for r in driver.find_elements(By.CSS_SELECTOR, "#results tbody tr")]


def show_source(name):
    click("li.source[data-source='%s'] button" % name)
    wait_for("source %s shown" % name, lambda: text("#source-name") == name)
    wait_for("images of %s listed" % name, lambda: find("#images li") is not None)


def no_injection(where):
    # Nothing the API returned became markup: no element from the fixtures'
    # hostile texts exists, no script ran (an alert would stop the driver).
    injected = driver.execute_script(
        "return document.querySelectorAll('#results script, #results img, #images img,"
        " #images script, #build-log img, #build-log b, [onerror], [onload]').length")
    expect(injected == 0, where + ": no markup from untrusted text")
    expect(driver.execute_script("return window.__strataPwned === undefined"),
           where + ": no injected script ran")


def console_errors():
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def expect_no_console_errors(where):
    errors = console_errors()
    expect(not errors, where + ": no console errors" + ("" if not errors else ": %s" % errors))


def browse(out_file):
    driver.get(BASE + "/")
    wait_for("sources listed", lambda: find("li.source[data-source='demo']") and
             find("li.source[data-source='fx']") and find("li.source[data-source='acme']"))
    ok("the page lists the test sources (acme, demo, fx)")
    expect(not visible("#signin"), "auth off: no sign-in form")
    expect(driver.find_element(By.ID, "user").get_attribute("id") == "user" and
           find("label[for='user']") is not None and find("label[for='q']") is not None,
           "inputs have labels")
    show_source("demo")
    expect(find("#images li.image[data-image='greeter']") is not None, "demo lists its declared image greeter")
    expect("runs /bin/greeter" in text("#images li.image[data-image='greeter']"),
           "the declared image says what it runs")
    expect(find("#refs li[data-ref='latest']") is not None, "demo lists its ref latest")
    search("hell")
    expect("hello" in rows(), "package search finds hello by part of its name")
    shot("search")
    show_source("fx")
    search("phrase")
    expect(rows() == ["shout"], "package search finds shout by a word of its description")
    expect("Shouts the fixture's phrase" in text("#results tbody tr[data-attr='shout']"),
           "with its description")
    search("oddmeta")
    expect("oddMeta" in rows(), "the package with a hostile meta is found")
    description = text("#results tbody tr[data-attr='oddMeta'] td:nth-child(3)")
    expect("<" in description, "its markup is shown as text: %r" % description[:80])
    no_injection("hostile descriptions")
    expect(find("#images li.invalid") is not None, "broken declarations are listed with their error")
    no_injection("hostile declarations")
    search("<img src=x onerror=window.__strataPwned=1>")
    expect(rows() == [] and "No package matches" in text("#message"),
           "a hostile query is a query like any other")
    no_injection("hostile query")
    q = find("#q")
    q.clear()
    q.send_keys("x" * 250)
    expect(len(q.get_attribute("value")) == 200, "the search field takes 200 characters at most")

    show_source("acme")
    refs = [e.get_attribute("data-ref") for e in driver.find_elements(By.CSS_SELECTOR, "#refs li")]
    expect("<b>bold</b>" in refs and "<img-src=x-onerror=window.__strataPwned=1>" in refs,
           "branch names that are markup are listed as text: %s" % refs)
    expect(driver.execute_script("return document.querySelectorAll('#refs b, #refs img, #ref b').length") == 0,
           "no markup from ref names")
    no_injection("hostile ref names")
    show_source("demo")
    click("#images li.image[data-image='greeter'] button")
    search("cowsay")
    click("#results tbody tr[data-attr='cowsay'] button")
    wanted = "docker pull %s/demo/greeter/cowsay:latest" % HOST
    wait_for("the pull command", lambda: text("#cmd-docker") == wanted)
    ok("the pull command builder shows %s" % wanted)
    expect(text("#cmd-podman") == "podman pull %s/demo/greeter/cowsay:latest" % HOST, "and the podman command")
    click("#pin-button")
    wait_for("the pinned name", lambda: text("#cmd-pinned"), timeout=300)
    pinned, by_digest = text("#cmd-pinned"), text("#cmd-digest")
    expect(pinned.startswith("docker pull %s/demo/greeter/cowsay:" % HOST), "the pinned form: " + pinned)
    expect("@sha256:" in by_digest, "the by-digest form: " + by_digest)
    sbom = find("#sbom-link").get_attribute("href")
    expect("/referrers/sha256" in sbom and visible("#sbom-link"), "the SBOM link: " + sbom)
    click("button.copy[data-copy='cmd-docker']")
    wait_for("the copy answered", lambda: text("#message") in ("Copied.", "Selected: copy it with Ctrl+C."))
    ok("the copy button copies (or selects) the command")
    with open(out_file, "w") as f:
        json.dump({"docker": text("#cmd-docker"), "pinned": pinned, "digest": by_digest, "sbom": sbom}, f)
    shot("builder")
    driver.set_window_size(390, 844)
    time.sleep(0.5)
    overflow = driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = driver.execute_script(
        "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 5)"
        ".map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))")
    expect(overflow <= 1, "a phone-sized window needs no sideways scrolling (overflow %spx%s)"
           % (overflow, "" if overflow <= 1 else ": " + ", ".join(wide)))
    shot("phone")
    driver.set_window_size(1280, 1000)
    expect_no_console_errors("browse")


def build(running_id, failing_id):
    driver.get(BASE + "/#build/" + running_id)
    wait_for("the build page", lambda: text("#build-id") == running_id)
    wait_for("log lines while it runs",
             lambda: text("#build-state") == "running" and
             len(driver.find_elements(By.CSS_SELECTOR, "#build-log .line")) >= 1, timeout=60)
    lines = len(driver.find_elements(By.CSS_SELECTOR, "#build-log .line"))
    ok("the build page shows %d log line(s) while the build runs" % lines)
    shot("build-running")
    wait_for("the build ends", lambda: text("#build-state") in ("succeeded", "failed"), timeout=120)
    expect(text("#build-state") == "succeeded", "then its end: " + text("#build-state"))
    expect(len(driver.find_elements(By.CSS_SELECTOR, "#build-log .line")) >= lines, "the log stays")
    driver.get(BASE + "/#build/" + failing_id)
    wait_for("the failed build", lambda: text("#build-state") == "failed", timeout=120)
    wait_for("its error", lambda: visible("#build-error") and text("#build-error"))
    ok("a failed build shows its error: " + text("#build-error")[:80])
    expect("<b>STRATA-FIXTURE-MARKUP</b>" in text("#build-log"), "and its log, markup shown as text")
    no_injection("build log")
    shot("build-failed")
    click("#build-close")
    wait_for("back", lambda: not visible("#build-view"))
    expect(find("#builds tbody tr[data-build='%s']" % running_id) is not None, "the builds list has the build")
    expect_no_console_errors("build")


def sign_in(user, password):
    find("#user").clear()
    find("#user").send_keys(user)
    find("#secret").send_keys(password)
    click("#signin-button")


def auth(user, password, admin, admin_password, token):
    driver.get(BASE + "/")
    wait_for("the sign-in form", lambda: visible("#signin"))
    wait_for("the anonymous page", lambda: "Sign in to see the sources" in text("#sources"))
    ok("signed out: no source is listed, the page asks to sign in")
    sign_in(user, password)
    wait_for("signed in", lambda: "Signed in as " + user in text("#whoami"))
    wait_for("sources", lambda: find("li.source") is not None)
    names = [e.get_attribute("data-source") for e in driver.find_elements(By.CSS_SELECTOR, "li.source")]
    expect(names == ["demo"], "%s sees only the granted source: %s" % (user, names))
    show_source("demo")
    search("")
    expect(sorted(rows()) == ["busybox", "hello"], "and only the granted packages: %s" % rows())
    expect(not visible("#builds-section") and not visible("#admin"), "no builds or access lists for a user")
    expect(driver.execute_script("return localStorage.length + sessionStorage.length") == 0 and
           password not in driver.execute_script("return document.cookie + document.body.innerHTML"),
           "the credentials are in no web storage, cookie or page text")
    shot("user")
    click("#signout")
    wait_for("signed out", lambda: visible("#signin") and "Sign in to see the sources" in text("#sources"))
    ok("signing out forgets the user")
    sign_in(admin, admin_password)
    wait_for("the admin's access lists", lambda: visible("#admin") and find("#teams li"))
    expect("fx" in [e.get_attribute("data-source") for e in driver.find_elements(By.CSS_SELECTOR, "li.source")],
           "the admin sees every source")
    wait_for("the grants", lambda: "may pull" in text("#grants"))
    ok("the admin sees the grants")
    wait_for("the builds", lambda: visible("#builds-section"))
    ok("the admin sees the builds")
    shot("admin")
    expect_no_console_errors("auth")
    click("#signout")
    wait_for("signed out", lambda: visible("#signin"))
    sign_in(user, token)
    wait_for("signed in with a token", lambda: "Signed in as " + user in text("#whoami") and
             find("li.source[data-source='demo']") is not None)
    ok("%s signs in with an API token instead of the password" % user)
    click("#signout")
    wait_for("signed out", lambda: visible("#signin"))
    sign_in(user, "wrong-" + password)
    wait_for("the refusal", lambda: "Wrong user name" in text("#message"))
    ok("a wrong password is refused with a clear message")


{"browse": browse, "build": build, "auth": auth}[SCENARIO](*ARGS)
driver.quit()
