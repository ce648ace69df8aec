# environment.systemPackages and environment.etc: what goes into the merged
# package tree (`sw`, which /usr points into) and into the generation's /etc.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;

  etcEntry = types.submodule ({ name, config, ... }: {
    options = {
      enable = mkOption { type = types.bool; default = true; description = "Whether the file is made."; };
      target = mkOption {
        type = types.str;
        default = name;
        description = "The path of the file relative to /etc.";
      };
      text = mkOption {
        type = types.nullOr types.lines;
        default = null;
        description = "The file's contents (instead of `source`).";
      };
      source = mkOption {
        type = types.path;
        description = "The file (or directory) to link at /etc/TARGET.";
      };
      mode = mkOption {
        type = types.str;
        default = "symlink";
        example = "0440";
        description = ''
          "symlink" (the default): /etc/TARGET links into the generation.
          "direct-symlink": /etc/TARGET is a link to `source` itself (for
          programs that read the link, e.g. /etc/localtime).
          An octal mode: activation copies the file there as a real file with
          this mode, `user` and `group` (for programs that refuse symlinks or
          need other permissions).
        '';
      };
      user = mkOption { type = types.str; default = "root"; description = "Owner of a copied file."; };
      group = mkOption { type = types.str; default = "root"; description = "Group of a copied file."; };
    };
    config.source = lib.mkIf (config.text != null)
      (lib.mkDefault (pkgs.writeText "etc-${baseNameOf name}" config.text));
  });
in
{
  options = {
    environment.systemPackages = mkOption {
      type = types.listOf types.package;
      default = [ ];
      example = lib.literalExpression "[ pkgs.vim pkgs.curl ]";
      description = ''
        Debian packages in the system's merged tree (/usr), with their
        dependency closure.
      '';
    };
    environment.basePackages = mkOption {
      type = types.listOf types.package;
      internal = true;
      description = "The packages every system has (the Essential set, systemd, …).";
    };
    environment.etc = mkOption {
      type = types.attrsOf etcEntry;
      default = { };
      example = lib.literalExpression ''{ "issue".text = "Welcome\n"; }'';
      description = "Files of the generation's /etc.";
    };
    system.build.sw = mkOption { type = types.package; internal = true; description = "The merged package tree."; };
    system.build.etc = mkOption { type = types.str; internal = true; description = "The generation's /etc (a store path)."; };
    system.build.etcEntries = mkOption { type = types.unspecified; internal = true; description = "Enabled environment.etc entries."; };
  };

  config = {
    # The packages composed into one system must not Conflict or Break.
    system.build.sw = let
      packages = config.environment.basePackages ++ config.environment.systemPackages;
      debianNames = map (p: p.passthru.debian.name) (lib.filter (p: p ? passthru.debian) packages);
    in builtins.seq (pkgs.checkConflicts debianNames) (pkgs.sw { inherit packages; });
    system.build.etcEntries = lib.filter (e: e.enable) (lib.attrValues config.environment.etc);
    # The generation's /etc: firn's entries, then what the packages ship in
    # etc/ (their conffiles), the first winning; symlinks are kept as they
    # are (builtin:buildenv's debianLayout), dangling ones included
    # (default.target, masks pointing to /dev/null).
    system.build.etc = let
      generated = pkgs.linkFarm "etc-generated"
        (map (e: { name = "etc/${e.target}"; path = e.source; }) config.system.build.etcEntries);
      tree = derivation {
        name = "etc-tree";
        system = "builtin";
        builder = "builtin:buildenv";
        debianLayout = "1";
        derivations = [ "true" "0" "1" generated "true" "10" "1" config.system.build.sw ];
        preferLocalBuild = true;
        allowSubstitutes = false;
      };
    in "${tree}/etc";
  };
}
