# storePath wants a path inside the store.
builtins.storePath ./files/hello.txt
