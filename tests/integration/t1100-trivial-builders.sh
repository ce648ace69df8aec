#!/bin/bash
# The trivial builders of <firn/pkgs> (modules/pkgs/trivial.nix):
# writeText/writeTextFile/writeShellScriptBin on builtin:write-file (contents,
# modes, destination, stable paths, references from string context),
# symlinkJoin and buildEnv on builtin:buildenv (merging, collisions,
# ignoreCollisions), linkFarm on builtin:link-farm (nested names, bad
# names), runCommand in the sandbox over an FHS view of Debian packages
# (sed, grep, tar, awk, /bin/sh and an extra tool, jq; a failing script).
# Needs apt's index and the .debs (apt's cache or `apt-get download`), as
# t0900 does. Nix is not compared: these builders come from nixpkgs, which
# is not installed.
. "$(dirname "$0")/test-lib.sh"

# build ATTR: firn build -A ATTR t.nix, the output path on stdout, the log
# in .build-err.
build() { firn build --no-out-link -A "$1" t.nix 2>"$TEST_ROOT/.build-err"; }
# ev EXPR: an expression over t.nix's attributes, as a raw string.
ev() { firn eval -E "with import ./t.nix; $1" | sed 's/^"//; s/"$//'; }
# fails_with ATTR WORDS DESCRIPTION: building ATTR fails, saying WORDS.
fails_with() {
        if build "$1" >/dev/null; then fail "$3 (succeeded)"; return; fi
        if grep -qF -- "$2" "$TEST_ROOT/.build-err"; then pass "$3"; else
                fail "$3"
                sed 's/^/    /' "$TEST_ROOT/.build-err"
        fi
}
# mode PATH: the octal mode of a store object's real file.
mode() { stat -c %a "$(real "$1")"; }
now() { date +%s.%N; }

cat >t.nix <<'EOF'
let pkgs = import <firn/pkgs> { }; in
with pkgs;
rec {
  inherit hello bash mawk libc6;
  text = writeText "greeting.txt" "hello, world\n";
  textDir = writeTextFile {
    name = "tool"; text = "#!/bin/sh\necho tool\n"; executable = true; destination = "/libexec/x/tool";
  };
  script = writeScript "script" "echo script\n";
  refs = writeText "refs" "the program is ${hello}/bin/hello\n";
  noRefs = writeText "no-refs" "nothing here\n";
  greet = writeShellScriptBin "greet" ''
    echo "hi from $0"
    echo "bash is ${runtimeShell}"
  '';
  shellScript = writeShellScript "plain" "echo plain\n";

  joined = symlinkJoin { name = "joined"; paths = [ hello mawk ]; };
  fake = writeTextDir "usr/bin/hello" "not hello\n";
  firstWins = buildEnv { name = "first-wins"; paths = [ fake hello ]; ignoreCollisions = true; };
  colliding = buildEnv { name = "colliding"; paths = [ hello fake ]; };

  farm = linkFarm "farm" [
    { name = "bin/hello"; path = "${hello}/usr/bin/hello"; }
    { name = "a/b/c/text"; path = text; }
    { name = "top"; path = hello; }
  ];
  farmSet = linkFarm "farm-set" { "x/y" = text; z = hello; };

  badDestDotDot = writeTextFile { name = "bad"; text = "x"; destination = "/../x"; };
  badDestRelative = writeTextFile { name = "bad"; text = "x"; destination = "bin/x"; };
  badDestDir = writeTextFile { name = "bad"; text = "x"; destination = "/bin/"; };
  badFarmDotDot = linkFarm "bad" [ { name = "a/../../x"; path = hello; } ];
  badFarmAbsolute = linkFarm "bad" { "/etc/x" = hello; };
  badFarmDuplicate = linkFarm "bad" [ { name = "a"; path = hello; } { name = "a"; path = mawk; } ];
  badFarmInside = linkFarm "bad" [ { name = "a"; path = hello; } { name = "a/b"; path = mawk; } ];

  command = runCommand "command" { tools = [ jq ]; word = "world"; } ''
    mkdir -p $out/sub
    echo "hello $word" | sed 's/world/there/' > $out/sub/greeting
    grep -q there $out/sub/greeting
    tar -cf $out/archive.tar -C $out sub
    tar -tf $out/archive.tar > $out/listing
    echo '{"a":[1,2,3]}' | jq -c '.a | map(. * 2)' > $out/jq
    echo one two | awk '{ print $2 }' > $out/awk
    /bin/sh -c 'echo from sh' > $out/sh
    echo "$PATH" > $out/path
  '';
  command2 = runCommand "command-2" { tools = [ jq ]; } ''
    jq -n '1 + 1' > $out
  '';
  local = runCommandLocal "local" { } "echo local > $out";
  failing = runCommand "failing" { } ''
    echo "this goes to the log"
    false
    echo "never reached" > $out
  '';

  checkPhase = writeTextFile { name = "c"; text = "x"; checkPhase = "true"; };
  postBuild = symlinkJoin { name = "p"; paths = [ ]; postBuild = "true"; };
  pathsToLink = buildEnv { name = "p"; paths = [ hello ]; pathsToLink = [ "/bin" ]; };
  nativeInputs = runCommand "n" { nativeBuildInputs = [ hello ]; } "true";
}
EOF

# ---- writeText, writeTextFile, writeScript ----------------------------------

out=$(build text)
check "writeText builds" test -n "$out"
expect_eq "$(cat "$(real "$out")")" "hello, world" "writeText: the contents"
expect_eq "$(mode "$out")" "444" "writeText: a read-only, non-executable file"
expect_eq "$(ev 'text.outPath')" "$out" "writeText: the store path is the one built"
expect_eq "$(ev 'text.outPath')" "$out" "writeText: the store path is stable across evaluations"
expect_eq "$(ev 'text.drvPath')" "$(ev 'text.drvPath')" "writeText: the derivation is stable across evaluations"
expect_eq "$(firn store query --references "$out")" "" "writeText: no references"

out=$(build textDir)
check "writeTextFile with a destination builds" test -n "$out"
check "writeTextFile: the output is a directory" test -d "$(real "$out")"
expect_eq "$(cat "$(real "$out")/libexec/x/tool")" "$(printf '#!/bin/sh\necho tool')" \
        "writeTextFile: the file is at the destination"
expect_eq "$(mode "$out/libexec/x/tool")" "555" "writeTextFile: executable gives mode 0555"
expect_eq "$(mode "$out/libexec/x")" "555" "writeTextFile: its directories are canonical"
expect_eq "$(ls "$(real "$out")")" "libexec" "writeTextFile: nothing else in the output"

out=$(build script)
expect_eq "$(mode "$out")" "555" "writeScript: an executable file"

# ---- references from the string context --------------------------------------

hello=$(ev 'hello.outPath')
libc=$(ev 'libc6.outPath')
out=$(build refs)
check "writeText with a store path builds" test -n "$out"
expect_eq "$(firn store query --references "$out")" "$hello" "the referenced output is a reference"
closure=$(firn store query --requisites "$out")
check "the closure holds the reference's own closure (libc6)" grep -qxF "$libc" <<<"$closure"
check "the closure holds the file itself" grep -qxF "$out" <<<"$closure"

# ---- writeShellScript(Bin) ---------------------------------------------------

bash=$(ev 'bash.outPath')
out=$(build greet)
check "writeShellScriptBin builds" test -n "$out"
f=$out/bin/greet
expect_eq "$(mode "$f")" "555" "writeShellScriptBin: bin/greet is executable"
expect_eq "$(head -1 "$(real "$f")")" "#!$bash/bin/bash" "writeShellScriptBin: the shebang is Debian's bash"
expect_eq "$(firn store query --references "$out")" "$bash" "writeShellScriptBin: bash is a reference"
# The store is private (its files are not at their logical paths), so run
# the script with the store's bash by its real path; that bash runs on the
# host through the host's /lib64/ld-linux-x86-64.so.2.
expect_eq "$("$(real "$bash")/bin/bash" "$(real "$f")" | tail -1)" "bash is $bash/bin/bash" \
        "writeShellScriptBin: the script runs on the host with the store's bash"
out=$(build shellScript)
expect_eq "$(head -1 "$(real "$out")")" "#!$bash/bin/bash" "writeShellScript: the shebang"
expect_eq "$(mode "$out")" "555" "writeShellScript: executable"

# ---- symlinkJoin and buildEnv -----------------------------------------------

mawk=$(ev 'mawk.outPath')
out=$(build joined)
check "symlinkJoin of hello and mawk builds" test -n "$out"
expect_eq "$(readlink "$(real "$out")/usr/bin/hello")" "$hello/usr/bin/hello" "symlinkJoin: hello's program"
expect_eq "$(readlink "$(real "$out")/usr/bin/mawk")" "$mawk/usr/bin/mawk" "symlinkJoin: mawk's program"
check "symlinkJoin: no nix-support" test ! -e "$(real "$out")/nix-support"
check "symlinkJoin: both packages are references" \
        test "$(firn store query --references "$out" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$hello" "$mawk" | sort | tr '\n' ' ')"

fake=$(ev 'fake.outPath')
out=$(build firstWins)
expect_eq "$(readlink "$(real "$out")/usr/bin/hello")" "$fake/usr/bin/hello" \
        "buildEnv with ignoreCollisions: the first path wins"
fails_with colliding "collision between" "buildEnv without ignoreCollisions: a collision is an error"

# ---- linkFarm ----------------------------------------------------------------

text=$(ev 'text.outPath')
out=$(build farm)
check "linkFarm builds" test -n "$out"
expect_eq "$(readlink "$(real "$out")/bin/hello")" "$hello/usr/bin/hello" "linkFarm: bin/hello"
expect_eq "$(readlink "$(real "$out")/a/b/c/text")" "$text" "linkFarm: a nested name makes directories"
expect_eq "$(readlink "$(real "$out")/top")" "$hello" "linkFarm: a top-level link to a directory"
expect_eq "$(mode "$out/a/b")" "555" "linkFarm: the directories are canonical"
expect_eq "$(cd "$(real "$out")" && find . | LC_ALL=C sort | tr '\n' ' ')" \
        ". ./a ./a/b ./a/b/c ./a/b/c/text ./bin ./bin/hello ./top " "linkFarm: nothing else"
expect_eq "$(firn store query --references "$out" | sort | tr '\n' ' ')" \
        "$(printf '%s\n' "$hello" "$text" | sort | tr '\n' ' ')" "linkFarm: the targets are references"
out=$(build farmSet)
expect_eq "$(readlink "$(real "$out")/x/y")" "$text" "linkFarm from an attribute set: x/y"
expect_eq "$(readlink "$(real "$out")/z")" "$hello" "linkFarm from an attribute set: z"

# ---- bad destinations and names -----------------------------------------------

fails_with badDestDotDot "destination '/../x' is not allowed: it has a '.' or '..' component" \
        "writeTextFile: a '..' destination is refused"
fails_with badDestRelative "destination 'bin/x' is not allowed: it is not absolute" \
        "writeTextFile: a relative destination is refused"
fails_with badDestDir "destination '/bin/' is not allowed: it has an empty component" \
        "writeTextFile: a destination ending in '/' is refused"
fails_with badFarmDotDot "entry name 'a/../../x' is not allowed: it has a '.' or '..' component" \
        "linkFarm: a '..' name is refused"
fails_with badFarmAbsolute "entry name '/etc/x' is not allowed: it is absolute" \
        "linkFarm: an absolute name is refused"
fails_with badFarmDuplicate "two entries are named 'a'" "linkFarm: a duplicate name is refused"
fails_with badFarmInside "entry 'a/b' lies inside 'a', which is another entry" \
        "linkFarm: an entry inside another is refused"
check "nothing of the failed builds is left in the store" \
        sh -c "! ls '$STORE_REAL' | grep -E -- '-bad(\.chroot)?\$'"

# ---- unsupported arguments ------------------------------------------------------

fails_with checkPhase "checkPhase is not supported" "writeTextFile: a checkPhase is an error"
fails_with postBuild "postBuild is not supported" "symlinkJoin: a postBuild is an error"
fails_with pathsToLink "pathsToLink other than" "buildEnv: pathsToLink is an error"
fails_with nativeInputs "nativeBuildInputs not supported" "runCommand: nativeBuildInputs is an error"

# ---- runCommand ------------------------------------------------------------------

t0=$(now)
out=$(build command)
t1=$(now)
check "runCommand builds" test -n "$out"
[ -n "$out" ] || sed 's/^/    /' "$TEST_ROOT/.build-err"
r=$(real "$out")
expect_eq "$(cat "$r/sub/greeting" 2>/dev/null)" "hello there" "runCommand: sed and an attribute of env"
expect_eq "$(cat "$r/listing" 2>/dev/null | tr '\n' ' ')" "sub/ sub/greeting " "runCommand: tar"
expect_eq "$(cat "$r/jq" 2>/dev/null)" "[2,4,6]" "runCommand: jq, a tool from env.tools, with its libraries"
expect_eq "$(cat "$r/awk" 2>/dev/null)" "two" "runCommand: awk (mawk, linked as Debian's alternative)"
expect_eq "$(cat "$r/sh" 2>/dev/null)" "from sh" "runCommand: /bin/sh (dash)"
expect_eq "$(cat "$r/path" 2>/dev/null)" "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        "runCommand: the FHS PATH"
expect_eq "$(firn store query --references "$out")" "" "runCommand: an output naming no store path has no references"
t2=$(now)
out2=$(build command2)
t3=$(now)
expect_eq "$(cat "$(real "$out2")" 2>/dev/null)" "2" "a second runCommand with the same tools"
check "the two commands share their FHS root" \
        test "$(ev 'command.__fhsRoot')" = "$(ev 'command2.__fhsRoot')"
echo "# runCommand: $(echo "$t1 - $t0" | bc) s the first time (fetching and unpacking), $(echo "$t3 - $t2" | bc) s the second"

out=$(build local)
expect_eq "$(cat "$(real "$out")" 2>/dev/null)" "local" "runCommandLocal builds"
expect_eq "$(ev 'if local.preferLocalBuild && !local.allowSubstitutes then "yes" else "no"')" "yes" \
        "runCommandLocal: preferLocalBuild, no substitutes"

fails_with failing "failed with exit code 1" "a failing script fails the build"
check "the failure shows the build log" grep -qF "this goes to the log" "$TEST_ROOT/.build-err"
expect_fail "the failed output is not valid" firn store query --valid "$(ev 'failing.outPath')"

finish
