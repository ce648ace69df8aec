{ pkgs, db, session }: { }
