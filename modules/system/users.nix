# users.users and users.groups: the accounts activation writes into
# /etc/passwd, /etc/group and /etc/shadow (real files; ids allocated once
# and kept in /var/lib/firn). No Debian maintainer script runs, so the
# groups their postinsts would add (kvm, input, render, …, wanted by udev
# rules and tmpfiles) are declared here, with base-passwd's fixed users
# and dbus's messagebus. systemd-sysusers is masked (systemd.nix): the
# accounts a system has are the ones its configuration declares.
{ config, lib, pkgs, ... }:
let
  inherit (lib) mkOption types;
  userModule = types.submodule ({ name, config, ... }: {
    options = {
      name = mkOption { type = types.str; default = name; description = "The user's name."; };
      uid = mkOption { type = types.nullOr types.int; default = null; description = "The user id (null: allocated)."; };
      group = mkOption { type = types.str; default = "nogroup"; description = "The primary group."; };
      extraGroups = mkOption { type = types.listOf types.str; default = [ ]; description = "Other groups."; };
      description = mkOption { type = types.str; default = ""; description = "The GECOS field."; };
      home = mkOption { type = types.str; default = "/nonexistent"; description = "The home directory."; };
      createHome = mkOption { type = types.bool; default = false; description = "Whether activation creates the home."; };
      shell = mkOption { type = types.str; default = "/usr/sbin/nologin"; description = "The login shell."; };
      isSystemUser = mkOption { type = types.bool; default = false; description = "A system account (id below 1000)."; };
      isNormalUser = mkOption { type = types.bool; default = false; description = "A person's account (home, shell, id from 1000)."; };
      hashedPassword = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = ''
          The crypt(3) hash of the password; "" for no password, "!" to lock.
          null keeps whatever the system has (passwd's changes survive),
          unless users.mutableUsers is false.
        '';
      };
      hashedPasswordFile = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "/var/lib/secrets/alice.hash";
        description = ''
          A file on the machine whose first line is the crypt(3) hash, read at
          each activation (the hash never enters the store); wins over
          hashedPassword. An unreadable file locks the password.
        '';
      };
      initialHashedPassword = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The hash a user gets when created, if no other is given; later changes (passwd) are kept.";
      };
    };
    config = lib.mkIf config.isNormalUser {
      home = lib.mkDefault "/home/${name}";
      createHome = lib.mkDefault true;
      shell = lib.mkDefault "/usr/bin/bash";
      group = lib.mkDefault "users";
    };
  });
  groupModule = types.submodule ({ name, ... }: {
    options = {
      name = mkOption { type = types.str; default = name; description = "The group's name."; };
      gid = mkOption { type = types.nullOr types.int; default = null; description = "The group id (null: allocated)."; };
      members = mkOption { type = types.listOf types.str; default = [ ]; description = "Members besides extraGroups'."; };
    };
  });
  # Debian's fixed ids (base-passwd's group.master) for the groups firn declares.
  debianGroups = {
    root = 0; daemon = 1; bin = 2; sys = 3; adm = 4; tty = 5; disk = 6; lp = 7; mail = 8; news = 9;
    uucp = 10; man = 12; proxy = 13; kmem = 15; dialout = 20; fax = 21; voice = 22; cdrom = 24;
    floppy = 25; tape = 26; sudo = 27; audio = 29; dip = 30; www-data = 33; backup = 34; operator = 37;
    list = 38; irc = 39; src = 40; shadow = 42; utmp = 43; video = 44; sasl = 45; plugdev = 46;
    staff = 50; games = 60; users = 100; nogroup = 65534;
  };
  # base-passwd's fixed system users (passwd.master): name = [ uid gid-name home description ].
  # nobody is declared apart (below); the shell of each is nologin.
  debianUsers = {
    daemon = [ 1 "daemon" "/usr/sbin" "daemon" ]; bin = [ 2 "bin" "/bin" "bin" ]; sys = [ 3 "sys" "/dev" "sys" ];
    games = [ 5 "games" "/usr/games" "games" ]; man = [ 6 "man" "/var/cache/man" "man" ];
    lp = [ 7 "lp" "/var/spool/lpd" "lp" ]; mail = [ 8 "mail" "/var/mail" "mail" ];
    news = [ 9 "news" "/var/spool/news" "news" ]; uucp = [ 10 "uucp" "/var/spool/uucp" "uucp" ];
    proxy = [ 13 "proxy" "/bin" "proxy" ]; www-data = [ 33 "www-data" "/var/www" "www-data" ];
    backup = [ 34 "backup" "/var/backups" "backup" ]; list = [ 38 "list" "/var/list" "Mailing List Manager" ];
    irc = [ 39 "irc" "/run/ircd" "ircd" ];
  };
  # Groups Debian's postinsts create without a fixed id (udev, systemd).
  dynamicGroups = [ "input" "kvm" "render" "sgx" "systemd-journal" "netdev" "_ssh" "messagebus" ];
  users = lib.attrValues config.users.users;
in
{
  options.users = {
    mutableUsers = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether passwords changed on the machine (passwd) survive activation.
        When false, every declared user's password is what the configuration
        says: a user with none of hashedPassword, hashedPasswordFile and
        initialHashedPassword is locked.
      '';
    };
    users = mkOption { type = types.attrsOf userModule; default = { }; description = "The user accounts."; };
    groups = mkOption { type = types.attrsOf groupModule; default = { }; description = "The groups."; };
  };
  options.system.build.accounts = mkOption { type = types.unspecified; internal = true; description = "Accounts for activation."; };

  config = {
    users.users = lib.mapAttrs (n: u: lib.mapAttrs (k: lib.mkDefault) {
      uid = lib.elemAt u 0; group = lib.elemAt u 1; home = lib.elemAt u 2; description = lib.elemAt u 3;
    }) debianUsers // {
      root = {
        uid = 0;
        group = "root";
        home = "/root";
        createHome = true;
        shell = lib.mkDefault "/usr/bin/bash";
        description = "root";
      };
      nobody = { uid = 65534; group = "nogroup"; description = "nobody"; };
      # dbus is in every system (base.nix); its postinst would add this one.
      messagebus = { isSystemUser = true; group = "messagebus"; description = "System Message Bus"; };
    };
    users.groups = lib.mapAttrs (n: id: { gid = id; }) debianGroups
      // lib.genAttrs dynamicGroups (n: { });

    assertions = map (u: {
      assertion = config.users.groups ? ${u.group};
      message = "users.users.${u.name}.group: the group `${u.group}' is not declared in users.groups";
    }) users;

    system.build.accounts = {
      users = map (u: {
        inherit (u) name uid group description home shell createHome hashedPasswordFile initialHashedPassword;
        hashedPassword =
          if u.hashedPassword != null || config.users.mutableUsers || u.hashedPasswordFile != null then u.hashedPassword
          else if u.initialHashedPassword != null then u.initialHashedPassword
          else "!";
        isSystemUser = u.isSystemUser || (!u.isNormalUser && u.uid != null && u.uid < 1000);
      }) users;
      groups = map (g: {
        inherit (g) name gid;
        members = lib.unique (g.members ++ map (u: u.name) (lib.filter (u: lib.elem g.name u.extraGroups) users));
      }) (lib.attrValues config.users.groups);
    };
  };
}
