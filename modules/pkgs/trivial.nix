# The trivial builders: nixpkgs' writeTextFile, writeText, writeScript,
# writeShellScript(Bin), symlinkJoin, buildEnv, linkFarm and runCommand, for
# a package set with no stdenv. Files, symlink farms and environments are
# made by builtin builders (builtin:write-file, builtin:link-farm,
# builtin:buildenv: no shell, no sandbox); runCommand runs bash in the
# sandbox over an FHS view of Debian packages.
#
# `pkgs` is the Debian package set of ./default.nix; `db` and `session` are
# unused here.
{ pkgs, db, session }:
let
  inherit (builtins)
    attrNames concatLists concatStringsSep filter genericClosure genList
    isAttrs isList length map removeAttrs replaceStrings unsafeDiscardStringContext;

  # Whether s holds a tab or a newline (the separators of builtin:link-farm).
  hasSeparator = s: replaceStrings [ "\t" "\n" ] [ "" "" ] s != s;

  # drv with passthru's attributes and meta added, as mkDerivation does.
  withPassthru = drv: passthru: meta:
    drv // passthru // { inherit passthru; } // (if meta == { } then { } else { inherit meta; });

  # ---- files ----------------------------------------------------------------

  # writeTextFile { name, text, executable, destination, ... }: a store
  # object holding `text`. destination "" (the default): the object is the
  # file itself; "/bin/foo": a directory with the file at bin/foo. An
  # executable file gets mode 0555, any other 0444. Store paths named in
  # `text` (its string context) become references of the result.
  # Unsupported: a non-empty checkPhase (there is no shell to run it in;
  # check the file with runCommand instead) and derivationArgs.
  writeTextFile =
    { name
    , text
    , executable ? false
    , destination ? ""
    , checkPhase ? ""
    , allowSubstitutes ? false
    , preferLocalBuild ? true
    , meta ? { }
    , passthru ? { }
    }:
    if checkPhase != "" then
      throw "writeTextFile '${name}': checkPhase is not supported (builtin:write-file runs no shell); check the file with runCommand instead"
    else
      withPassthru
        (derivation {
          inherit name text executable destination allowSubstitutes preferLocalBuild;
          system = "builtin";
          builder = "builtin:write-file";
        })
        passthru
        meta;

  writeText = name: text: writeTextFile { inherit name text; };

  # writeTextDir "share/doc/x" text: a directory holding the file at that path.
  writeTextDir = path: text: writeTextFile {
    inherit text;
    name = baseNameOf path;
    destination = "/${path}";
  };

  writeScript = name: text: writeTextFile { inherit name text; executable = true; };

  writeScriptBin = name: text: writeTextFile {
    inherit name text;
    executable = true;
    destination = "/bin/${name}";
  };

  # The shell of scripts: Debian's bash, which runs on the host (through its
  # /lib64/ld-linux-x86-64.so.2) and in runCommand's sandbox.
  runtimeShellPackage = pkgs.bash;
  runtimeShell = "${runtimeShellPackage}/bin/bash";

  writeShellScript = name: text: writeTextFile {
    inherit name;
    executable = true;
    text = "#!${runtimeShell}\n${text}";
  };

  writeShellScriptBin = name: text: writeTextFile {
    inherit name;
    executable = true;
    destination = "/bin/${name}";
    text = "#!${runtimeShell}\n${text}";
  };

  # ---- symlink farms ----------------------------------------------------------

  # buildEnv { name, paths, ignoreCollisions, ... }: the union of the paths'
  # trees as symlinks, on builtin:buildenv (Nix's user-environment builder):
  # a directory only one path has is linked as a whole; nix-support and the
  # other entries Nix leaves out of profiles are left out. Two paths with a
  # file at one place: an error, unless one has a lower meta.priority (as in
  # nixpkgs, default 5); with ignoreCollisions the first path in the list
  # wins. Unsupported: pathsToLink other than [ "/" ] (an error),
  # extraOutputsToInstall (ignored: every path is one output), postBuild,
  # manifest.
  buildEnv =
    { name
    , paths
    , ignoreCollisions ? false
    , pathsToLink ? [ "/" ]
    , extraOutputsToInstall ? [ ]
    , meta ? { }
    , passthru ? { }
    }:
    let
      priority = i: p:
        if ignoreCollisions then i
        else if isAttrs p then p.meta.priority or 5
        else 5;
      group = i: p: [ "true" (toString (priority i p)) "1" "${p}" ];
      present = filter (p: p != null) paths;
    in
    if pathsToLink != [ "/" ] then
      throw "buildEnv '${name}': pathsToLink other than [ \"/\" ] is not supported"
    else
      withPassthru
        (derivation {
          inherit name;
          system = "builtin";
          builder = "builtin:buildenv";
          derivations = concatLists (genList (i: group i (builtins.elemAt present i)) (length present));
          preferLocalBuild = true;
          allowSubstitutes = false;
        })
        passthru
        meta;

  # symlinkJoin { name, paths }: the paths merged into one tree of
  # symlinks, the first path winning where two have the same file (lndir's
  # -silent behaviour). Made by buildEnv, so a directory only one path has
  # is one symlink rather than a tree, and nix-support is left out.
  # Unsupported: a non-empty postBuild (an error).
  symlinkJoin =
    { name
    , paths
    , postBuild ? ""
    , meta ? { }
    , passthru ? { }
    }:
    if postBuild != "" then
      throw "symlinkJoin '${name}': postBuild is not supported (builtin:buildenv runs no shell); use runCommand on the result instead"
    else
      buildEnv { inherit name paths meta passthru; ignoreCollisions = true; };

  # linkFarm name entries: a directory of symlinks NAME -> PATH. entries is
  # a list of { name; path; } or an attribute set NAME = PATH; a name may
  # hold '/' (nested directories are made). Empty, absolute and '..' names,
  # two entries with one name, and an entry inside another ("a", "a/b")
  # are errors (of builtin:link-farm, at build time).
  linkFarm = name: entries:
    let
      list =
        if isList entries then entries
        else map (n: { name = n; path = entries.${n}; }) (attrNames entries);
      line = e:
        let path = "${e.path}"; in
        if hasSeparator e.name || hasSeparator path then
          throw "linkFarm '${name}': the entry '${e.name}' has a tab or a newline in its name or path"
        else "${e.name}\t${path}\n";
    in
    derivation {
      inherit name;
      system = "builtin";
      builder = "builtin:link-farm";
      entries = concatStringsSep "" (map line list);
      preferLocalBuild = true;
      allowSubstitutes = false;
    };

  # ---- runCommand -------------------------------------------------------------

  # Packages every runCommand sees (dash gives /bin/sh).
  baseTools = [
    "bash" "coreutils" "dash" "diffutils" "findutils" "grep" "gzip" "mawk" "sed" "tar" "xz-utils"
  ];

  # What Debian's maintainer scripts would add with update-alternatives
  # (firn runs none): awk.
  alternatives = linkFarm "fhs-alternatives" {
    "usr/bin/awk" = "${pkgs.mawk}/usr/bin/mawk";
    "usr/bin/nawk" = "${pkgs.mawk}/usr/bin/mawk";
  };

  # tools with every Debian package they depend on, transitively (through
  # passthru.debian.depends), each store path once, in breadth-first order
  # from tools. Members of a dependency cycle share a store path. A tool
  # that is not a Debian package (a writeScriptBin …) is kept as it is.
  toolClosure = tools:
    let
      isDebian = p: isAttrs p && p ? passthru.debian;
      names = genericClosure {
        startSet = map (p: { key = p.passthru.debian.name; }) (filter isDebian tools);
        operator = item: map (d: { key = d; }) pkgs.${item.key}.passthru.debian.depends;
      };
      all = filter (p: !isDebian p) tools ++ map (item: pkgs.${item.key}) names;
      unique = genericClosure {
        startSet = map (p: { key = unsafeDiscardStringContext "${p}"; value = p; }) all;
        operator = _: [ ];
      };
    in
    map (item: item.value) unique;

  # The root of the sandbox's FHS view (__fhsRoot): the closure of tools and
  # baseTools merged, the tools first (they win collisions). Its name does
  # not depend on the command, so commands with the same tools share it.
  fhsRoot = tools: buildEnv {
    name = "fhs-root";
    paths = toolClosure (tools ++ map (n: pkgs.${n}) baseTools) ++ [ alternatives ];
    ignoreCollisions = true;
  };

  # runCommand name env script: runs `script` with `bash -e` in the build
  # sandbox, in /build, with $out to create and PATH the FHS one; /usr,
  # /bin, /sbin, /lib, /lib64 are a merge (fhsRoot) of baseTools, the Debian
  # packages in env.tools (e.g. tools = [ pkgs.jq ]) and their dependency
  # closures. Debian's binaries find their loader at /lib64 and their
  # libraries in ld.so's built-in directories (/lib/x86_64-linux-gnu,
  # /usr/lib/x86_64-linux-gnu), with no ld.so.cache. The other attributes of
  # env become attributes of the derivation (environment variables of the
  # script), as in nixpkgs; passthru and meta are attached to the result.
  # No network, no /etc beyond passwd, group and hosts; maintainer scripts
  # never ran, so only the alternatives above exist. Unsupported:
  # nativeBuildInputs, buildInputs, propagatedBuildInputs (there is no
  # stdenv: use tools) — an error.
  runCommandWith = local: name: env: script:
    let
      unsupported = filter (a: env ? ${a}) [ "nativeBuildInputs" "buildInputs" "propagatedBuildInputs" ];
      fhs = fhsRoot (env.tools or [ ]);
      drv = derivation (
        {
          system = builtins.currentSystem;
          PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        }
        // (if local then { preferLocalBuild = true; allowSubstitutes = false; } else { })
        // removeAttrs env [ "tools" "passthru" "meta" "passAsFile" ]
        // {
          inherit name;
          builder = "${fhs}/bin/bash";
          args = [ "-e" "-c" ''source "$buildCommandPath"'' ];
          buildCommand = script;
          passAsFile = [ "buildCommand" ] ++ env.passAsFile or [ ];
          __fhsRoot = fhs;
        });
    in
    if unsupported != [ ] then
      throw "runCommand '${name}': ${concatStringsSep ", " unsupported} not supported (there is no stdenv); list Debian packages in `tools` instead"
    else
      withPassthru drv (env.passthru or { }) (env.meta or { });

  runCommand = runCommandWith false;
  runCommandLocal = runCommandWith true;
in
{
  inherit
    writeTextFile writeText writeTextDir writeScript writeScriptBin
    runtimeShell runtimeShellPackage writeShellScript writeShellScriptBin
    buildEnv symlinkJoin linkFarm runCommand runCommandLocal;
  # The dependency closure of a list of packages (see toolClosure).
  debianClosure = toolClosure;
}
