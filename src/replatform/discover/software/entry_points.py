"""Container -> the program it runs: the Dockerfile's ENTRYPOINT/CMD (or the task's override) -> a file.

A link discovery resolves once, after the walk, for every ECS container whose
image is built from a folder of the repository: the final stage's effective
``ENTRYPOINT`` + ``CMD`` (inherited through ``FROM <stage>``; a container
definition's ``entryPoint``/``command`` replace them as ECS does), wrappers
(``tini``, ``dumb-init``, ``gosu``, ``exec``, ``env``) skipped, the program
recognised (``python script.py``, ``python -m pkg``, ``uvicorn mod:app``,
``node file.js``, ``npm start`` through package.json, ``java -jar``, a Go
binary built by ``go build -o`` in an earlier stage -> its main package, a
wrapper script -> the program it ``exec``s, or else the last one it starts), and
its image path mapped back through ``WORKDIR`` and ``COPY`` to the build
folder. Nothing is run; a step that cannot be followed is an `Unknown` link
saying which.

When a container's image is not a literal (``${var.worker_image}:latest``) and
the repository builds exactly one image (one Dockerfile), the container is
linked to that folder with ``inferred`` saying so: the usual ECR layout, where
the image name lives in a variable and a script builds the only Dockerfile.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from dataclasses import dataclass, field

from replatform.discover import compute_vocabulary as v
from replatform.discover.formats import Format, classify
from replatform.discover.software.dockerfile import Instruction, parse_dockerfile
from replatform.discover.source import SourceFile
from replatform.fsio import read_in_root
from replatform.model import (
    Attribute,
    Component,
    ComponentKind,
    Link,
    LinkKind,
    Location,
    TargetKind,
    Unknown,
)

#: Dockerfiles, package.json files and wrapper scripts larger than this are not followed.
MAX_RECIPE_BYTES = 1024 * 1024
#: A wrapper script that starts another script is followed this deep; lines read per script.
MAX_SCRIPT_DEPTH = 3
MAX_SCRIPT_LINES = 5000
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?")
#: Programs that stand in front of the real one (PID 1 helpers and privilege droppers), with how many
#: arguments of their own they take before the program.
_WRAPPERS = {"tini": 0, "dumb-init": 0, "gosu": 1, "su-exec": 1, "exec": 0, "env": 0, "catatonit": 0}
_INITS = {"tini", "dumb-init", "catatonit"}
#: Python servers and job runners whose first module argument names the application.
PYTHON_RUNNERS = {"uvicorn", "gunicorn", "hypercorn", "celery", "rq", "dramatiq", "huey_consumer", "daphne"}
#: A runner's application argument, ``package.module:app`` or ``module:create_app()`` (not ``0.0.0.0:8000``).
_APP_SPEC = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(?:\(.*\))?")
_NODE = {"node", "nodejs", "ts-node", "tsx"}
_PACKAGE_MANAGERS = {"npm", "yarn", "pnpm"}
_SHELLS = {"sh", "bash", "dash", "ash"}
_BIN_DIRS = ("/usr/local/bin", "/usr/bin", "/bin", "/go/bin", "/usr/local/sbin")


@dataclass
class _Copy:
    sources: list[str]
    dest: str  # absolute, normalised
    dest_is_dir: bool
    stage: str | None  # --from


@dataclass
class _State:
    """The effective image configuration at the end of a stage."""

    workdir: str = "/"
    entrypoint: tuple[list[str], bool, Instruction] | None = None  # argv, shell form, where
    cmd: tuple[list[str], bool, Instruction] | None = None
    env: dict[str, str] = field(default_factory=dict)
    copies: list[_Copy] = field(default_factory=list)
    runs: list[tuple[str, str]] = field(default_factory=list)  # (workdir, command)


@dataclass
class _Recipe:
    stages: dict[str, _State]  # by alias and by index
    final: _State


@dataclass(frozen=True)
class EntryPoint:
    """What a container runs, resolved as far as the repository allows."""

    target: str | Unknown
    target_kind: TargetKind
    location: Location
    expression: str
    attributes: tuple[Attribute, ...]


def _exec_form(text: str) -> list[str] | None:
    """The words of an instruction written in exec form (a JSON array of strings), else None."""
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return list(value) if isinstance(value, list) and all(isinstance(item, str) for item in value) else None


def _argv(instruction: Instruction) -> tuple[list[str], bool]:
    """Exec form (JSON array) or shell form (run by ``/bin/sh -c``)."""
    text = instruction.arguments.strip()
    words = _exec_form(text)
    return (words, False) if words is not None else (["/bin/sh", "-c", text], True)


def _copy(instruction: Instruction, state: _State) -> _Copy | None:
    text = instruction.arguments.strip()
    parts = _exec_form(text)
    if parts is None:
        try:
            parts = shlex.split(text)
        except ValueError:
            parts = text.split()
    if len(parts) < 2:
        return None
    *sources, dest = parts
    absolute = posixpath.normpath(posixpath.join(state.workdir, dest))
    return _Copy(sources, absolute, dest.endswith("/") or len(sources) > 1, instruction.flag("from"))


def _recipe(source: SourceFile, target_stage: str | None = None) -> _Recipe | None:
    parsed = parse_dockerfile(source)
    if not parsed.stages:
        return None
    states: dict[str, _State] = {}
    final = _State()
    for stage in parsed.stages:
        parent = states.get((stage.resolved_base or stage.base).lower())
        state = (
            _State(parent.workdir, parent.entrypoint, parent.cmd, dict(parent.env), list(parent.copies), [])
            if parent
            else _State()
        )
        for instruction in stage.instructions:
            keyword = instruction.keyword
            if keyword == "WORKDIR":
                state.workdir = posixpath.normpath(posixpath.join(state.workdir, instruction.arguments.strip()))
            elif keyword == "ENTRYPOINT":
                argv, shell = _argv(instruction)
                state.entrypoint = (argv, shell, instruction)
                state.cmd = None  # Docker resets CMD when ENTRYPOINT is set
            elif keyword == "CMD":
                argv, shell = _argv(instruction)
                state.cmd = (argv, shell, instruction)
            elif keyword == "ENV":
                state.env.update(_env(instruction.arguments))
            elif keyword in ("COPY", "ADD"):
                copy = _copy(instruction, state)
                if copy is not None:
                    state.copies.append(copy)
            elif keyword == "RUN":
                state.runs.append((state.workdir, instruction.arguments))
        states[str(stage.index)] = state
        if stage.alias:
            states[stage.alias.lower()] = state
        final = state
        if target_stage is not None and stage.alias and stage.alias.lower() == target_stage.lower():
            break
    return _Recipe(states, final)


def _env(arguments: str) -> dict[str, str]:
    try:
        tokens = shlex.split(arguments)
    except ValueError:
        return {}
    if len(tokens) == 2 and "=" not in tokens[0]:
        return {tokens[0]: tokens[1]}
    return dict(token.split("=", 1) for token in tokens if "=" in token)


class _Resolver:
    """Maps paths inside an image back to files of its build folder."""

    def __init__(self, folder: str, recipe: _Recipe, walked: set[str], folders: set[str]) -> None:
        self.folder = folder
        self.recipe = recipe
        self.walked = walked
        self.folders = folders

    def context(self, relative: str) -> str:
        joined = posixpath.normpath(posixpath.join(self.folder, relative)) if self.folder != "." else relative
        return posixpath.normpath(joined)

    def to_repository(self, path: str, state: _State | None = None, depth: int = 0) -> tuple[str, str] | None:
        """(kind, repository path) for an image path: ("file", p), ("folder", p) or ("stage", "alias:path")."""
        state = state or self.recipe.final
        path = posixpath.normpath(path)
        for copy in reversed(state.copies):
            for source in copy.sources:
                found = self._through_copy(copy, source, path, depth)
                if found is not None:
                    return found
        return None

    def _through_copy(self, copy: _Copy, source: str, path: str, depth: int) -> tuple[str, str] | None:
        if copy.stage is not None:
            produced = posixpath.normpath(source if source.startswith("/") else "/" + source)
            inside = self._inside(copy, produced, path)
            if inside is None:
                return None
            return ("stage", f"{copy.stage}\x00{inside}")
        if source.startswith(("http://", "https://")):
            return None
        context_source = self.context(source.rstrip("/") or ".")
        is_folder = context_source in self.folders or source in (".", "./")
        if is_folder:
            if path == copy.dest:
                return ("folder", context_source)
            if path.startswith(copy.dest.rstrip("/") + "/"):
                relative = path[len(copy.dest.rstrip("/")) + 1 :]
                candidate = posixpath.normpath(posixpath.join(context_source, relative))
                if candidate in self.walked:
                    return ("file", candidate)
                if candidate in self.folders:
                    return ("folder", candidate)
            return None
        name = posixpath.basename(source)
        if any(ch in name for ch in "*?["):
            if posixpath.dirname(path) == copy.dest and re.fullmatch(_glob(name), posixpath.basename(path)):
                candidate = posixpath.join(posixpath.dirname(context_source), posixpath.basename(path))
                return ("file", candidate) if candidate in self.walked else None
            return None
        # ``COPY a.py /app/`` and ``COPY a.py .`` copy into the folder; ``COPY a.py /app/b.py`` renames.
        if path in (copy.dest, posixpath.join(copy.dest, name)) and context_source in self.walked:
            return ("file", context_source)
        return None

    @staticmethod
    def _inside(copy: _Copy, produced: str, path: str) -> str | None:
        """The path in the source stage that ``path`` came from through a ``COPY --from``."""
        if path in (copy.dest, posixpath.join(copy.dest, posixpath.basename(produced))):
            return produced
        if path.startswith(copy.dest.rstrip("/") + "/"):
            return posixpath.join(produced, path[len(copy.dest.rstrip("/")) + 1 :])
        return None


def _glob(pattern: str) -> str:
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)


def _strip_wrappers(argv: list[str]) -> tuple[list[str], str]:
    """The program's argv with PID-1 helpers removed, and the init in front ("" when none)."""
    init = ""
    argv = list(argv)
    while argv:
        name = posixpath.basename(argv[0])
        if name not in _WRAPPERS:
            break
        if name in _INITS:
            init = name
        skip = _WRAPPERS[name]
        argv = argv[1 + skip :]
        while argv and (argv[0].startswith("-") or (name == "env" and "=" in argv[0])):
            argv = argv[1:]
    return argv, init


def simple_commands(text: str) -> list[list[str]]:
    """The simple commands of a shell string (split on ``&&``, ``||``, ``;``, ``|``, ``&``), assignments dropped."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:
        return []
    commands: list[list[str]] = [[]]
    for token in tokens:
        if token and all(ch in "&|;" for ch in token):
            commands.append([])
        else:
            commands[-1].append(token)
    out = []
    for command in commands:
        while command and "=" in command[0] and not command[0].startswith("-"):
            command = command[1:]
        if command:
            out.append(command)
    return out


def script_program(text: str) -> tuple[int, list[str], bool, str] | None:
    """(line, argv, exec'd, the command as written) of the program a shell script starts: its ``exec`` line, else the last interpreter.

    Set-up lines (``python manage.py migrate``, ``pip install``) run before the
    program; the command a script ``exec``s, or failing that the last command
    that runs a recognised interpreter, is the one that keeps running.
    """
    last: tuple[int, list[str], bool, str] | None = None
    for number, line in _logical_lines(text):
        commands = simple_commands(line)
        for words in commands:
            execs = words[0] == "exec"
            program, _init = _strip_wrappers(words)
            if not program or not _runs_interpreter(program):
                continue
            shown = line if len(commands) == 1 else shlex.join(words)
            if execs:
                return number, program, True, shown
            last = (number, program, False, shown)
    return last


def _runs_interpreter(argv: list[str]) -> bool:
    name = posixpath.basename(argv[0])
    if (_PYTHON.fullmatch(name) or name in _NODE) and all(a.startswith("-") for a in argv[1:]):
        return False  # `python --version`, `node -v`: a check, not the program
    if _PYTHON.fullmatch(name):
        return not (argv[1:3] == ["-m", "pip"] or "-c" in argv[1:2])
    return (
        name in PYTHON_RUNNERS
        or name in _NODE
        or name == "java"
        or (name in _PACKAGE_MANAGERS and argv[1:2] not in (["install"], ["ci"], ["i"]))
    )


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) per logical line: comments dropped, ``\\`` continuations joined."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(text.splitlines()[:MAX_SCRIPT_LINES], start=1):
        line = raw.strip()
        if pending is None and (not line or line.startswith("#")):
            continue
        start, before = pending if pending is not None else (number, "")
        if line.endswith("\\"):
            pending = (start, before + line[:-1].rstrip() + " ")
            continue
        pending = None
        out.append((start, before + line))
    if pending is not None:
        out.append(pending)
    return out


def _shebang_shell(text: str) -> str:
    """The shell that interprets a script (its ``#!`` line; ``sh`` without one)."""
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return "sh"
    words = first[2:].split()
    if words and posixpath.basename(words[0]) == "env" and len(words) > 1:
        return posixpath.basename(words[1])
    return posixpath.basename(words[0]) if words else "sh"


def _shell_command(text: str) -> tuple[list[str], bool]:
    """The last simple command of a ``sh -c`` string, and whether the shell ``exec``s it."""
    commands = simple_commands(text)
    last = commands[-1] if commands else []
    return last, bool(last) and last[0] == "exec"


@dataclass
class _Command:
    argv: list[str]  # as the container runs it
    shell: bool
    location: Location
    origin: str  # Dockerfile ENTRYPOINT/CMD, or the container definition


def _effective(container: Component, recipe: _Recipe) -> _Command | None:
    """ENTRYPOINT + CMD as ECS runs them: a container ``entryPoint`` replaces both, ``command`` the CMD."""
    final = recipe.final
    override_entry = container.attribute(v.ENTRY_POINT)
    override_cmd = container.attribute(v.COMMAND)
    entry = final.entrypoint
    cmd = final.cmd
    location = container.location
    origin = "Dockerfile"
    argv: list[str] = []
    shell = False
    if override_entry is not None and isinstance(override_entry.value, tuple):
        argv = [str(x) if not isinstance(x, Unknown) else x.expression for x in override_entry.value]
        location, origin = override_entry.location or container.location, "the container's entryPoint"
        entry, cmd = None, None
    elif entry is not None:
        argv, shell = list(entry[0]), entry[1]
        location, origin = entry[2].location, "ENTRYPOINT"
    if override_cmd is not None and isinstance(override_cmd.value, tuple):
        if not shell:
            argv += [str(x) if not isinstance(x, Unknown) else x.expression for x in override_cmd.value]
        if not argv or (override_entry is None and entry is None):
            location, origin = override_cmd.location or container.location, "the container's command"
    elif cmd is not None and not shell:
        if not argv:
            location, origin = cmd[2].location, "CMD"
            shell = cmd[1]
        argv += cmd[0]
    if not argv:
        return None
    return _Command(argv, shell, location, origin)


class _Program:
    """Recognise the program of an argv and find its code in the build folder."""

    def __init__(self, root: str, resolver: _Resolver, state: _State) -> None:
        self.root = root
        self.resolver = resolver
        self.state = state

    def image_path(self, path: str) -> str:
        return posixpath.normpath(path if path.startswith("/") else posixpath.join(self.state.workdir, path))

    def file(self, path: str) -> str | None:
        found = self.resolver.to_repository(self.image_path(path))
        return found[1] if found is not None and found[0] == "file" else None

    def python_module(self, module: str) -> str | None:
        dotted = module.split(":", 1)[0].replace(".", "/")
        roots = [self.state.workdir] + [p for p in self.state.env.get("PYTHONPATH", "").split(":") if p]
        for base in roots:
            for candidate in (f"{dotted}.py", f"{dotted}/__main__.py", f"{dotted}/__init__.py"):
                found = self.file(posixpath.join(base, candidate))
                if found is not None:
                    return found
        return None

    def resolve(self, argv: list[str], depth: int = 0) -> tuple[str | Unknown, TargetKind, dict[str, str]]:
        """(target, kind, attributes) for a program's argv (wrappers already removed)."""
        if not argv:
            return Unknown("no command"), TargetKind.FILE, {}
        name = posixpath.basename(argv[0])
        if _PYTHON.fullmatch(name):
            return self._python(argv)
        if name in PYTHON_RUNNERS:
            return self._runner(name, argv)
        if name in _NODE:
            script = next((a for a in argv[1:] if not a.startswith("-")), None)
            found = self.file(script) if script else None
            return (
                (found or Unknown(f"{script or 'no script'} not found in the build folder")),
                TargetKind.FILE,
                {"language": "node"},
            )
        if name in _PACKAGE_MANAGERS and depth == 0:
            return self._package_script(name, argv)
        if name == "java":
            return self._java(argv)
        if name.endswith(".sh") or name in _SHELLS:
            script = argv[0] if name.endswith(".sh") else next((a for a in argv[1:] if not a.startswith("-")), None)
            found = self.file(script) if script else None
            if found is None and script is not None and name.endswith(".sh"):
                on_path, _kind, attrs = self._binary(script)  # `CMD ["run.sh"]` with run.sh on the PATH
                found = on_path if isinstance(on_path, str) and attrs.get("language") == "shell" else None
            if found is None:
                return Unknown(f"shell script {script} not found in the build folder"), TargetKind.FILE, {}
            return self._script(found, depth)
        target, kind, attrs = self._binary(argv[0])
        if attrs.get("language") == "shell" and isinstance(target, str):
            return self._script(target, depth)
        return target, kind, attrs

    def _script(self, path: str, depth: int) -> tuple[str | Unknown, TargetKind, dict[str, str]]:
        """The program a wrapper script starts (``exec python worker.py`` after some setup), or the script."""
        itself: tuple[str | Unknown, TargetKind, dict[str, str]] = (path, TargetKind.FILE, {"language": "shell"})
        if depth >= MAX_SCRIPT_DEPTH:
            return itself
        try:
            text = read_in_root(self.root, path, MAX_RECIPE_BYTES).decode("utf-8", "replace")
        except OSError:
            return itself
        started = script_program(text)
        if started is None:
            return itself
        line, words, execs, shown = started
        program, _init = _strip_wrappers(words)
        target, kind, attrs = self.resolve(program, depth + 1)
        shell = _shebang_shell(text)
        pid1 = posixpath.basename(program[0]) if execs and program else shell
        wrapper = {"wrapper_script": path, "wrapper_line": str(line), "wrapper_exec": "yes" if execs else "no"}
        return target, kind, {**attrs, **wrapper, "wrapper_command": shown, "wrapper_pid1": pid1}

    def _python(self, argv: list[str]) -> tuple[str | Unknown, TargetKind, dict[str, str]]:
        index = 1
        while index < len(argv):
            arg = argv[index]
            if arg == "-m" and index + 1 < len(argv):
                module = argv[index + 1]
                if posixpath.basename(module) in PYTHON_RUNNERS or module in PYTHON_RUNNERS:
                    return self._runner(module, argv[index + 1 :])
                found = self.python_module(module)
                attrs = {"language": "python", "module": module}
                return (found or Unknown(f"module {module} not found in the build folder")), TargetKind.FILE, attrs
            if arg == "-c":
                return Unknown("python -c: inline code"), TargetKind.FILE, {"language": "python"}
            if arg in ("-W", "-X", "-Q"):
                index += 2
                continue
            if arg.startswith("-"):
                index += 1
                continue
            found = self.file(arg)
            return (found or Unknown(f"{arg} not found in the build folder")), TargetKind.FILE, {"language": "python"}
        return Unknown("python without a script"), TargetKind.FILE, {"language": "python"}

    def _runner(self, name: str, argv: list[str]) -> tuple[str | Unknown, TargetKind, dict[str, str]]:
        attrs = {"language": "python", "runner": name}
        module = None
        for index, arg in enumerate(argv[1:], start=1):
            if arg in ("-A", "--app") and index + 1 < len(argv):
                module = argv[index + 1]
                break
            if arg.startswith("--app="):
                module = arg.split("=", 1)[1]
                break
            if _APP_SPEC.fullmatch(arg):
                module = arg
                break
        if module is None:
            return Unknown(f"{name}: application module not given"), TargetKind.FILE, attrs
        attrs["module"] = module
        found = self.python_module(module)
        return (found or Unknown(f"module {module} not found in the build folder")), TargetKind.FILE, attrs

    def _package_script(self, manager: str, argv: list[str]) -> tuple[str | Unknown, TargetKind, dict[str, str]]:
        attrs = {"language": "node", "runner": manager}
        words = [a for a in argv[1:] if not a.startswith("-")]
        script = words[1] if words[:1] == ["run"] and len(words) > 1 else (words[0] if words else "start")
        manifest = self.file("package.json")
        if manifest is None:
            return Unknown(f"{manager} {script}: package.json not found in the build folder"), TargetKind.FILE, attrs
        try:
            data = json.loads(read_in_root(self.root, manifest, MAX_RECIPE_BYTES).decode("utf-8", "replace"))
        except (OSError, ValueError):
            return Unknown(f"{manifest} could not be read"), TargetKind.FILE, attrs
        scripts = data.get("scripts") if isinstance(data, dict) else None
        command = scripts.get(script) if isinstance(scripts, dict) else None
        if not isinstance(command, str):
            if script == "start" and isinstance(data, dict) and isinstance(data.get("main"), str):
                command = f"node {data['main']}"
            else:
                return Unknown(f'{manager} {script}: no "{script}" script in {manifest}'), TargetKind.FILE, attrs
        attrs["script"] = command
        inner, _exec = _shell_command(command)
        inner, _init = _strip_wrappers(inner)
        target, kind, more = self.resolve(inner, depth=1)
        return target, kind, {**more, **attrs}

    def _java(self, argv: list[str]) -> tuple[str | Unknown, TargetKind, dict[str, str]]:
        attrs = {"language": "java"}
        jar = argv[argv.index("-jar") + 1] if "-jar" in argv[:-1] else None
        return self.resolver.folder, TargetKind.FOLDER, {**attrs, **({"jar": jar} if jar else {})}

    def _binary(self, program: str) -> tuple[str | Unknown, TargetKind, dict[str, str]]:
        candidates = (
            [self.image_path(program)]
            if "/" in program
            else [posixpath.join(d, program) for d in (self.state.workdir, *_BIN_DIRS)]
        )
        for path in candidates:
            found = self.resolver.to_repository(path)
            if found is None:
                continue
            kind, where = found
            if kind == "file":
                language = "shell" if where.endswith(".sh") else "binary"
                return where, TargetKind.FILE, {"language": language}
            if kind == "stage":
                stage, inside = where.split("\x00", 1)
                package = self._go_package(stage, inside)
                if package is not None:
                    return package, TargetKind.FOLDER, {"language": "go", "built_in_stage": stage}
                return Unknown(f"{program} is built in stage {stage} by a step not followed"), TargetKind.FILE, {}
        return (
            Unknown(f"{program}: not a recognised interpreter and not built from the build folder"),
            TargetKind.FILE,
            {},
        )

    def _go_package(self, stage: str, produced: str) -> str | None:
        """The build-folder folder of the main package a ``go build`` in ``stage`` compiled to ``produced``."""
        state = self.resolver.recipe.stages.get(stage.lower())
        if state is None:
            return None
        for workdir, command in reversed(state.runs):
            for words in simple_commands(command):
                if len(words) < 2 or posixpath.basename(words[0]) != "go" or words[1] not in ("build", "install"):
                    continue
                output, packages = _go_build_arguments(words[2:])
                package = packages[0] if packages else "."
                package_dir = posixpath.normpath(posixpath.join(workdir, package))
                if package.endswith(".go"):
                    package_dir = posixpath.dirname(package_dir)
                built = (
                    posixpath.normpath(posixpath.join(workdir, output))
                    if output
                    else posixpath.join(workdir, posixpath.basename(package_dir))
                )
                if output and output.endswith("/"):
                    built = posixpath.join(built, posixpath.basename(package_dir))
                if built != produced and posixpath.basename(built) != posixpath.basename(produced):
                    continue
                found = self.resolver.to_repository(package_dir, state)
                if found is not None and found[0] == "folder":
                    return found[1]
        return None


def _go_build_arguments(words: list[str]) -> tuple[str | None, list[str]]:
    output = None
    packages: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word == "-o" and index + 1 < len(words):
            output = words[index + 1]
            index += 2
            continue
        if word.startswith("-o="):
            output = word[3:]
        elif word in ("-ldflags", "-tags", "-gcflags", "-mod", "-trimpath=false", "-p") and index + 1 < len(words):
            index += 2
            continue
        elif not word.startswith("-"):
            packages.append(word)
        index += 1
    return output, packages


def _not_literal(target: str | Unknown) -> bool:
    """An image the IaC does not state: an expression, or a placeholder a deploy step fills (``${IMAGE}``)."""
    return isinstance(target, Unknown) or "${" in target or target.startswith("$") or "<" in target


def _dockerfile_folder_links(
    containers: list[Component], links: list[Link], walked: set[str]
) -> tuple[dict[str, tuple[str, str, str]], list[Link]]:
    """Container id -> (folder, Dockerfile name, inferred reason) for containers built from a folder."""
    built: dict[str, tuple[str, str, str]] = {}
    images: dict[str, list[Link]] = {}
    for link in links:
        if link.kind is not LinkKind.RUNS_IMAGE:
            continue
        if link.target_kind is TargetKind.FOLDER and isinstance(link.target, str):
            dockerfile = link.get("dockerfile")
            built[link.source] = (
                link.target,
                dockerfile if isinstance(dockerfile, str) and dockerfile else "Dockerfile",
                "",
            )
        elif link.target_kind is TargetKind.IMAGE:
            images.setdefault(link.source, []).append(link)
    inferred: list[Link] = []
    if all(container.id in built for container in containers):
        return built, inferred
    dockerfiles = sorted(path for path in walked if classify(path) is Format.DOCKERFILE)
    for container in containers:
        if container.id in built:
            continue
        written = images.get(container.id, [])
        if len(dockerfiles) != 1 or not written or not all(_not_literal(link.target) for link in written):
            continue
        only = dockerfiles[0]
        folder, name = only.rsplit("/", 1) if "/" in only else (".", only)
        reason = (
            f"the image ({written[0].expression}) is not a literal and {only} is the only Dockerfile in the repository"
        )
        built[container.id] = (folder, name, reason)
        inferred.append(
            Link(
                LinkKind.RUNS_IMAGE,
                container.id,
                folder,
                written[0].location,
                written[0].expression,
                TargetKind.FOLDER,
                (Attribute("dockerfile", name, None), Attribute("inferred", reason, None)),
            )
        )
    return built, inferred


def resolve(
    root: str, components: list[Component], links: list[Link], walked: set[str], folders: set[str]
) -> list[Link]:
    """Inferred image-folder links and one ``has_code`` link per ECS container built in the repository."""
    tasks = {c.id for c in components if c.kind is ComponentKind.ECS_TASK_DEFINITION}
    containers = [c for c in components if c.kind is ComponentKind.CONTAINER_IMAGE and c.parent in tasks]
    built, out = _dockerfile_folder_links(containers, links, walked)
    recipes: dict[str, _Recipe | None] = {}
    for container in containers:
        if container.id not in built:
            continue
        folder, name, inferred = built[container.id]
        path = posixpath.normpath(posixpath.join(folder, name)) if folder != "." else name
        if path not in recipes:
            try:
                recipes[path] = _recipe(SourceFile(path, read_in_root(root, path, MAX_RECIPE_BYTES)))
            except OSError:
                recipes[path] = None
        recipe = recipes[path]
        entry = _entry_point(root, container, folder, path, recipe, walked, folders, inferred)
        out.append(
            Link(LinkKind.HAS_CODE, container.id, entry.target, entry.location, entry.expression, entry.target_kind,
                 entry.attributes)
        )  # fmt: skip
    return out


def _entry_point(
    root: str,
    container: Component,
    folder: str,
    dockerfile: str,
    recipe: _Recipe | None,
    walked: set[str],
    folders: set[str],
    inferred: str,
) -> EntryPoint:
    extra = [Attribute("dockerfile", dockerfile, None)] + ([Attribute("inferred", inferred, None)] if inferred else [])
    if recipe is None:
        reason = f"{dockerfile} could not be read"
        return EntryPoint(Unknown(reason), TargetKind.FILE, container.location, reason, tuple(extra))
    command = _effective(container, recipe)
    if command is None:
        reason = f"{dockerfile} sets no ENTRYPOINT or CMD (the base image's command runs)"
        return EntryPoint(Unknown(reason), TargetKind.FILE, container.location, reason, tuple(extra))
    argv, shell = command.argv, command.shell
    program, init = _strip_wrappers(argv)
    pid1 = init or (posixpath.basename(program[0]) if program else "")
    if program[:1] and posixpath.basename(program[0]) in _SHELLS and "-c" in program[1:3]:
        at = program.index("-c") + 1
        inner, shell_exec = _shell_command(program[at] if at < len(program) else "")
        program, inner_init = _strip_wrappers(inner)
        shell = True
        if not init and shell_exec:  # the shell replaces itself with the program
            pid1 = inner_init or (posixpath.basename(program[0]) if program else pid1)
    resolver = _Resolver(folder, recipe, walked, folders)
    target, kind, attrs = _Program(root, resolver, recipe.final).resolve(program)
    script = attrs.pop("wrapper_script", None)
    script_line = int(attrs.pop("wrapper_line", "1"))
    if script is not None and (not shell or pid1 not in _SHELLS):
        pid1 = attrs.pop("wrapper_pid1")  # the script's shell, or the program it execs
    attrs.pop("wrapper_pid1", None)
    attributes = [
        Attribute("argv", tuple(argv), None),
        Attribute("form", "shell" if shell else "exec", command.location),
        Attribute("pid1", pid1, None),
        Attribute("origin", command.origin, command.location),
        *(Attribute(key, value, None) for key, value in sorted(attrs.items())),
        *extra,
    ]
    if script is not None:
        attributes.append(Attribute("wrapper_script", script, Location(script, script_line)))
    if init:
        attributes.append(Attribute("init", init, None))
    expression = " ".join(argv)
    return EntryPoint(target, kind, command.location, expression, tuple(attributes))


__all__ = ["PYTHON_RUNNERS", "EntryPoint", "resolve"]
