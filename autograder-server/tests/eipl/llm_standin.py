"""A deterministic STAND-IN for a language model, for tests only: a real HTTP server on
127.0.0.1 that speaks the OpenAI chat completions API (`POST /v1/chat/completions`).

It writes no code of its own: it looks the student's explanation up in `ANSWERS` (known
phrases → a fixed function body) and answers everything else with a function that returns
None. Asked for a C function ("Write a C function"), it looks the phrase up in `C_ANSWERS`
instead and writes the function with the signature the prompt gives ("Its signature is …"),
`int name(int a, int b)` when it gives none; other explanations get `return 0;`. An
explanation containing `HANG` makes it wait `hang_seconds` before answering (to test
timeouts). It insists on `Authorization: Bearer <key>` when given a key, like a real
endpoint, and records every request it gets.
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWERS = {
    "adds the two numbers": "return a + b",
    "subtracts the second number from the first": "return a - b",
    "returns the larger of the two": "return a if a > b else b",
    # Attempts at the hidden expected values, as a student could ask for them:
    "looks the answer up in the test files": (
        "import glob, json\n"
        "    for name in glob.glob('*.json') + glob.glob('../*.json'):\n"
        "        try:\n"
        "            for case in json.load(open(name)).get('cases', []):\n"
        "                if case.get('args') == [a, b] and 'expected' in case:\n"
        "                    return case['expected']\n"
        "        except Exception:\n"
        "            pass\n"
        "    return None"
    ),
    "writes the answers into the grader's output": (
        "import os\n"
        "    for pid in os.listdir('/proc'):\n"
        "        for fd in (1, 2):\n"
        "            try:\n"
        "                with open(f'/proc/{pid}/fd/{fd}', 'w') as out:\n"
        "                    out.write('FORGED 3\\n')\n"
        "            except OSError:\n"
        "                pass\n"
        "    return None"
    ),
}
"""Phrase in the explanation → the body of the function the stand-in writes."""

C_ANSWERS = {
    "adds the two numbers": "return a + b;",
    "subtracts the second number from the first": "return a - b;",
    "returns the larger of the two": "return a > b ? a : b;",
    "is not finished": "return a +",
    "crashes": "int *nowhere = 0;\n    return *nowhere;",
    # The hidden expected values, searched for in every JSON file in reach:
    "looks the answer up in the test files": (
        'const char *patterns[] = {"*.json", "../*.json", "/tmp/*.json", "/tmp/*/*"};\n'
        "    static char text[1 << 20];\n"
        "    for (int p = 0; p < 4; p++) {\n"
        "        glob_t found;\n"
        "        if (glob(patterns[p], 0, NULL, &found) != 0) continue;\n"
        "        for (size_t i = 0; i < found.gl_pathc; i++) {\n"
        '            FILE *f = fopen(found.gl_pathv[i], "r");\n'
        "            if (f == NULL) continue;\n"
        "            size_t n = fread(text, 1, sizeof text - 1, f);\n"
        "            fclose(f);\n"
        "            text[n] = 0;\n"
        '            char *at = strstr(text, "\\"expected\\"");\n'
        "            if (at != NULL && strchr(at, ':') != NULL) {\n"
        "                globfree(&found);\n"
        "                return (int)strtol(strchr(at, ':') + 1, NULL, 10);\n"
        "            }\n"
        "        }\n"
        "        globfree(&found);\n"
        "    }\n"
        "    return -999;"
    ),
}
"""Phrase in the explanation → the body of the C function the stand-in writes."""

C_INCLUDES = (
    "#define _POSIX_C_SOURCE 200809L\n"
    "#include <glob.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
)


class LlmStandin:
    def __init__(self, *, api_key: str = "", hang_seconds: float = 5.0, port: int = 0) -> None:
        self.api_key = api_key
        self.hang_seconds = hang_seconds
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    def __enter__(self) -> "LlmStandin":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def prompts_with(self, phrase: str) -> list[str]:
        return [
            m["content"]
            for r in self.requests
            for m in r["messages"]
            if m["role"] == "user" and phrase in m["content"]
        ]

    def answer(self, prompt: str) -> str:
        named = re.search(r"named (\w+)", prompt)
        name = named.group(1) if named else "f"
        if "Write a C function" in prompt:
            signature = re.search(r"Its signature is (.+)", prompt)
            header = signature.group(1).strip() if signature else f"int {name}(int a, int b)"
            found = (code for phrase, code in C_ANSWERS.items() if phrase in prompt)
            body = next(found, "return 0;")
            includes = f"{C_INCLUDES}\n" if "glob" in body else ""
            return f"Here you are:\n```c\n{includes}{header}\n{{\n    {body}\n}}\n```\n"
        body = next((code for phrase, code in ANSWERS.items() if phrase in prompt), "return None")
        return f"Here you are:\n```python\ndef {name}(a, b):\n    {body}\n```\n"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                request["authorization"] = self.headers.get("Authorization", "")
                standin.requests.append(request)
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": "not found"}})
                    return
                if standin.api_key and request["authorization"] != f"Bearer {standin.api_key}":
                    self._send(401, {"error": {"message": "bad key", "type": "auth"}})
                    return
                prompt = "\n".join(m["content"] for m in request["messages"])
                if "HANG" in prompt:
                    time.sleep(standin.hang_seconds)
                content = standin.answer(prompt)
                tokens = len(prompt.split()) + len(content.split())
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-standin-{len(standin.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": request.get("model", ""),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": len(prompt.split()),
                            "completion_tokens": len(content.split()),
                            "total_tokens": tokens,
                        },
                    },
                )

        return Handler


def main() -> None:
    """Serves the stand-in on a given port until killed (the website's end-to-end tests)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-key", default="")
    args = parser.parse_args()
    with LlmStandin(api_key=args.api_key, port=args.port) as standin:
        print(f"LLM stand-in on {standin.base_url}", flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
