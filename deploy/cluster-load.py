#!/usr/bin/env python3
"""Students and staff of deploy/cluster-test, through nginx over HTTPS (standard library only).

    cluster-load.py setup STATE.json             two projects, the students' solo groups
    cluster-load.py surge STATE.json OUT.jsonl N  N submissions (one per group), RATE per s
    cluster-load.py check STATE.json SUBS.jsonl   every submission graded once, right score
    cluster-load.py watch STATE.json SUBS.jsonl OUT.json STOP   live status streams
    cluster-load.py health STATE.json OUT STOP    GET /api/health/ in a loop, one code a line

STATE.json holds the site (AG_CLUSTER_SITE, e.g. https://localhost:28443), the address to
connect to, the CA file, the admin's token and the students' tokens (made by cluster-test
in the web container). Submissions alternate between the two projects; every fourth one
prints the wrong answer, so its right score is 1 of 3 points (3 of 3 otherwise).
"""

import concurrent.futures
import http.client
import json
import os
import ssl
import sys
import threading
import time
import uuid
from typing import Any


class Site:
    def __init__(self, state: dict[str, Any]) -> None:
        self.host = state["connect"]
        self.port = int(state["port"])
        self.server = state["server"]
        self.context = ssl.create_default_context(cafile=state["cafile"])
        # The certificate names the site (localhost), we connect by the node's address.
        self.context.check_hostname = False
        self.local = threading.local()

    def connection(self, fresh: bool = False) -> http.client.HTTPSConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = http.client.HTTPSConnection(
                self.host, self.port, context=self.context, timeout=60
            )
            self.local.conn = conn
        return conn

    def request(
        self,
        method: str,
        path: str,
        token: str,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, bytes]:
        headers = {
            "Host": f"{self.server}:{self.port}",
            "Authorization": f"Token {token}",
        }
        if body is not None:
            headers["Content-Type"] = content_type
        for attempt in range(3):
            try:
                conn = self.connection(fresh=attempt > 0)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                if attempt == 2:
                    raise
                time.sleep(1)
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, token: str, data: Any = None) -> Any:
        body = None if data is None else json.dumps(data).encode()
        status, raw = self.request(method, path, token, body)
        if status >= 400:
            raise SystemExit(f"{method} {path}: {status} {raw[:400]!r}")
        return json.loads(raw) if raw else None


def load(path: str) -> dict[str, Any]:
    with open(path) as f:
        return json.load(f)  # type: ignore[no-any-return]


def setup(state_path: str) -> None:
    state = load(state_path)
    site, admin = Site(state), state["admin_token"]
    course = site.json("POST", "/api/courses/", admin, {"name": "Cluster 101", "semester": "fall", "year": 2030})["id"]
    usernames = [s["username"] for s in state["students"]]
    site.json("POST", f"/api/courses/{course}/roster/student/", admin, {"users": usernames})
    projects = []
    for name, filename, answer in (("Hello", "hello.py", "hello, world"), ("Answer", "answer.py", "42")):
        project = site.json("POST", f"/api/courses/{course}/projects/", admin, {"name": name, "visible_to_students": True})["id"]
        site.json("POST", f"/api/projects/{project}/expected_files/", admin, {"pattern": filename})
        suite = site.json("POST", f"/api/projects/{project}/suites/", admin, {"name": "Basics"})["id"]
        case = site.json("POST", f"/api/suites/{suite}/cases/", admin, {"name": "Prints"})["id"]
        site.json("POST", f"/api/cases/{case}/commands/", admin, {
            "name": f"run {filename}", "cmd": f"python3 {filename}",
            "expected_return_code": "zero", "points_for_correct_return_code": 1,
            "expected_stdout_source": "text", "expected_stdout_text": answer + "\n",
            "points_for_correct_stdout": 2})
        projects.append({"id": project, "file": filename, "answer": answer})
    groups = []

    def solo(args: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        student, project = args
        group = site.json("POST", f"/api/projects/{project['id']}/groups/solo/", student["token"])["id"]
        return {"group": group, "project": project["id"], "token": student["token"]}

    pairs = [(s, p) for s in state["students"] for p in projects]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        groups = list(pool.map(solo, pairs))
    state.update(course=course, projects=projects, groups=groups)
    with open(state_path, "w") as f:
        json.dump(state, f)
    print(f"course {course}, projects {[p['id'] for p in projects]}, {len(groups)} groups")


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{filename}\"\r\n"
        "Content-Type: text/x-python\r\n\r\n"
    ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def surge(state_path: str, out_path: str, count: int, rate: float, offset: int = 0) -> None:
    """Submits `count` submissions, group by group from `offset`, at `rate` per second."""
    state = load(state_path)
    site = Site(state)
    projects = {p["id"]: p for p in state["projects"]}
    groups = state["groups"]
    lock = threading.Lock()
    out = open(out_path, "a")  # noqa: SIM115  (written by the pool's threads until the end)
    failures = []

    def submit(i: int) -> None:
        group = groups[(offset + i) % len(groups)]
        project = projects[group["project"]]
        right = (offset + i) % 4 != 3
        answer = project["answer"] if right else "wrong"
        # Every eighth program takes a few seconds, so a grader holds its lease long enough
        # for a fault to land on it (the others finish in a fraction of a second).
        slow = "import time; time.sleep(4)\n" if (offset + i) % 8 == 5 else ""
        body, ctype = multipart(project["file"], f"{slow}print({answer!r})\n".encode())
        status, raw = site.request("POST", f"/api/groups/{group['group']}/submissions/", group["token"], body, ctype)
        with lock:
            if status >= 400:
                failures.append(f"{status} {raw[:200]!r}")
                return
            out.write(json.dumps({"id": json.loads(raw)["id"], "group": group["group"], "project": project["id"],
                                  "expected": 3 if right else 1, "sent": time.time()}) + "\n")
            out.flush()

    start = time.time()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = []
        for i in range(count):
            delay = start + i / rate - time.time()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(submit, i))
        for future in futures:
            future.result()
    out.close()
    print(json.dumps({"submitted": count - len(failures), "failed": failures[:5], "seconds": round(time.time() - start, 1)}))
    if failures:
        raise SystemExit(1)


def check(state_path: str, subs_path: str) -> None:
    """Each submission finished_grading with its expected points (the API's view)."""
    state = load(state_path)
    site, admin = Site(state), state["admin_token"]
    with open(subs_path) as f:
        subs = [json.loads(line) for line in f if line.strip()]

    def one(sub: dict[str, Any]) -> str | None:
        status = site.json("GET", f"/api/submissions/{sub['id']}/status/", admin)["status"]
        if status != "finished_grading":
            return f"{sub['id']}: {status}"
        results = site.json("GET", f"/api/submissions/{sub['id']}/results/", admin)
        awarded, possible = float(results["points_awarded"]), float(results["points_possible"])
        if (awarded, possible) == (sub["expected"], 3):
            return None
        return f"{sub['id']}: {awarded:g}/{possible:g}, expected {sub['expected']}/3"

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        problems = [p for p in pool.map(one, subs) if p]
    print(json.dumps({"checked": len(subs), "problems": problems[:10], "wrong": len(problems)}))
    if problems:
        raise SystemExit(1)


def watch(state_path: str, subs_path: str, out_path: str, stop: str) -> None:
    """Students watching their submissions' live status: one stream per submission in
    SUBS (as it appears), reconnecting whenever a stream drops before finished_grading."""
    state = load(state_path)
    site = Site(state)
    tokens = {g["group"]: g["token"] for g in state["groups"]}
    report: dict[str, Any] = {"streams": 0, "reconnects": 0, "finished": 0, "errors": []}
    lock = threading.Lock()

    def follow(sub: dict[str, Any]) -> None:
        deadline = time.time() + 900
        while time.time() < deadline:
            try:
                conn = http.client.HTTPSConnection(site.host, site.port, context=site.context, timeout=120)
                conn.request("GET", f"/api/submissions/{sub['id']}/events/", headers={
                    "Host": f"{site.server}:{site.port}", "Authorization": f"Token {tokens[sub['group']]}",
                    "Accept": "text/event-stream"})
                response = conn.getresponse()
                if response.status != 200:
                    with lock:
                        report["errors"].append(f"{sub['id']}: {response.status}")
                    if response.status >= 500 or response.status == 429:
                        time.sleep(1)
                        continue
                    return
                while True:
                    line = response.readline()
                    if not line:
                        break
                    if b"finished_grading" in line:
                        with lock:
                            report["finished"] += 1
                        return
            except (OSError, http.client.HTTPException):
                pass
            with lock:
                report["reconnects"] += 1
            time.sleep(0.5)

    threads: list[threading.Thread] = []
    seen: set[int] = set()
    while not os.path.exists(stop):
        with open(subs_path) as f:
            lines = f.readlines()
        for line in lines:
            sub = json.loads(line)
            if sub["id"] not in seen:
                seen.add(sub["id"])
                thread = threading.Thread(target=follow, args=(sub,), daemon=True)
                thread.start()
                threads.append(thread)
                report["streams"] += 1
        time.sleep(0.5)
    for thread in threads:
        thread.join(timeout=600)
    with open(out_path, "w") as f:
        json.dump(report, f)


def health(state_path: str, out_path: str, stop: str) -> None:
    state = load(state_path)
    site = Site(state)
    with open(out_path, "w") as out:
        while not os.path.exists(stop):
            try:
                status, _ = site.request("GET", "/api/health/", state["admin_token"])
            except (OSError, http.client.HTTPException) as error:
                status = f"000 {error}"
            out.write(f"{time.time():.1f} {status}\n")
            out.flush()
            time.sleep(0.2)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "setup":
        setup(*args)
    elif command == "surge":
        surge(args[0], args[1], int(args[2]), float(args[3]), int(args[4]) if len(args) > 4 else 0)
    elif command == "check":
        check(*args)
    elif command == "watch":
        watch(*args)
    elif command == "health":
        health(*args)
    else:
        raise SystemExit(__doc__)
