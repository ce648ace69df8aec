# i18n.defaultLocale, i18n.extraLocaleSettings and i18n.supportedLocales,
# as NixOS has them.
#
# Debian's `locales` package ships only the locale sources; its postinst
# (locale-gen) compiles the ones in /etc/locale.gen. firn compiles
# i18n.supportedLocales at build time with localedef into a locale archive
# at usr/lib/locale/locale-archive of its own output, which the system's
# /usr merges, so glibc finds it where it looks on Debian (no
# LOCALE_ARCHIVE needed). LANG and the LC_* settings go to /etc/locale.conf
# (systemd: the services' environment), /etc/default/locale (Debian: read
# by pam_env in login, su, sshd) and environment.sessionVariables.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types concatStringsSep mapAttrsToList;
  cfg = config.i18n;

  # "de_DE.utf8" -> "de_DE.UTF-8", as NixOS normalises them.
  canonical = l: lib.replaceStrings [ "utf8" "utf-8" "UTF8" ] [ "UTF-8" "UTF-8" "UTF-8" ] l;

  settings = { LANG = cfg.defaultLocale; } // cfg.extraLocaleSettings;
  settingsText = concatStringsSep "" (mapAttrsToList (n: v: "${n}=${v}\n") settings);

  # "NAME/CHARSET" entries compiled into one archive. The source of
  # de_DE.UTF-8@euro is /usr/share/i18n/locales/de_DE@euro.
  glibcLocales = pkgs.runCommand "locale-archive" {
    tools = [ pkgs.locales pkgs.libc-bin ];
    locales = cfg.supportedLocales;
  } ''
    mkdir -p "$out/usr/lib/locale"
    for entry in $locales; do
      case "$entry" in
        */*) name=''${entry%%/*} charset=''${entry#*/} ;;
        *) echo "i18n.supportedLocales: '$entry' is not NAME/CHARSET (e.g. en_US.UTF-8/UTF-8)" >&2; exit 1 ;;
      esac
      source=$(printf '%s\n' "$name" | sed 's/\.[^@]*//')
      if [ ! -f "/usr/share/i18n/locales/$source" ]; then
        echo "i18n.supportedLocales: unknown locale '$name' (Debian's locales package has no /usr/share/i18n/locales/$source)" >&2
        exit 1
      fi
      if [ ! -f "/usr/share/i18n/charmaps/$charset.gz" ] && [ ! -f "/usr/share/i18n/charmaps/$charset" ]; then
        echo "i18n.supportedLocales: unknown character set '$charset' in '$entry' (no /usr/share/i18n/charmaps/$charset.gz)" >&2
        exit 1
      fi
      echo "compiling $name ($charset)"
      # 1: warnings only, the locale was made (as locale-gen accepts them)
      rc=0
      localedef --prefix="$out" -c -i "$source" -f "$charset" "$name" || rc=$?
      if [ "$rc" -gt 1 ]; then
        echo "i18n.supportedLocales: localedef failed on '$entry' (exit $rc)" >&2
        exit 1
      fi
    done
    localedef --prefix="$out" --list-archive
  '';
in
{
  options.i18n = {
    defaultLocale = mkOption {
      type = types.str;
      default = "en_US.UTF-8";
      example = "de_DE.UTF-8";
      description = "The locale of the system (LANG), e.g. de_DE.UTF-8.";
    };
    extraLocaleSettings = mkOption {
      type = types.attrsOf types.str;
      default = { };
      example = { LC_TIME = "de_DE.UTF-8"; LC_MESSAGES = "en_US.UTF-8"; };
      description = "More locale variables (LC_*), set beside LANG.";
    };
    supportedLocales = mkOption {
      type = types.listOf types.str;
      default = lib.unique (map (l: canonical l + "/UTF-8")
        ([ "C.UTF-8" "en_US.UTF-8" cfg.defaultLocale ]
          ++ lib.attrValues (lib.filterAttrs (n: v: n != "LANGUAGE") cfg.extraLocaleSettings)));
      defaultText = lib.literalExpression ''[ "C.UTF-8/UTF-8" "en_US.UTF-8/UTF-8" ] plus defaultLocale and extraLocaleSettings, each "/UTF-8"'';
      example = [ "en_US.UTF-8/UTF-8" "de_DE.UTF-8/UTF-8" "de_DE/ISO-8859-1" ];
      description = ''
        The locales compiled into the system's locale archive, as
        NAME/CHARSET (the lines of Debian's /usr/share/i18n/SUPPORTED). []:
        no archive (only C and the C.UTF-8 that libc-bin ships).
      '';
    };
    glibcLocales = mkOption {
      type = types.package;
      internal = true;
      readOnly = true;
      description = "The locale archive made from supportedLocales.";
    };
  };

  config = {
    i18n.glibcLocales = glibcLocales;
    environment.systemPackages = lib.optional (cfg.supportedLocales != [ ]) glibcLocales;
    environment.sessionVariables = settings;
    environment.etc."locale.conf".text = settingsText;
    environment.etc."default/locale".text = settingsText;
  };
}
