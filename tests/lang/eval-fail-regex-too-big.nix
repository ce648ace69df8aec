# The count makes libstdc++'s NFA exceed its 100000 states.
builtins.match "(ab){60000}" "ab"
