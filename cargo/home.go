package cargo

import "path/filepath"

// Home is cargo's home directory as cargo finds it in the environment
// getenv reads: CARGO_HOME, else .cargo in HOME; "" when neither is set.
// It is the one place krust looks for it: the config files cargo reads,
// the subcommands it runs from its bin directory and the path remapped out
// of executables all start from it.
func Home(getenv func(string) string) string {
	if h := getenv("CARGO_HOME"); h != "" {
		return h
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".cargo")
	}
	return ""
}

// getenvOf looks keys up in env, KEY=VALUE strings of which the last of a
// key counts, as in a process's environment.
func getenvOf(env []string) func(string) string {
	return func(key string) string {
		v, _ := lookupEnv(env, key)
		return v
	}
}
