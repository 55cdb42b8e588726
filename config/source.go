package config

// where says how a setting is written in the source l, for messages: the
// key alone for a source whose keys name themselves (a flag such as
// --port, a variable such as KRUST_REPO), else the key and the file it is
// in ("ports in /p/Cargo.toml [package.metadata.krust]").
func (l Settings) where(setting string) string {
	if l.Source == "" {
		return l.key(setting)
	}
	return l.key(setting) + " in " + l.Source
}

// Where says where the value of setting that wins is written, as where does.
func (src Sources) Where(setting string) string { return whereIs(src.layers(), setting) }

// key says how a setting is written in the source l: --port, KRUST_REPO,
// build.cargo_args, ports.
func (l Settings) key(setting string) string {
	if k, ok := l.Keys[setting]; ok {
		return k
	}
	return setting
}

// whereIs says where the value of setting that wins the merge of layers
// (see merge) is written.
func whereIs(layers []Settings, setting string) string {
	return winner(layers, setting).where(setting)
}

// winner returns the layer whose value of setting wins the merge of
// layers: the first that sets it (or none, the zero Settings).
func winner(layers []Settings, setting string) Settings {
	for _, l := range layers {
		if l.sets(setting) {
			return l
		}
	}
	return Settings{}
}

// sets reports whether l gives a value for setting (a single value or a
// list; maps merge key by key, see envSource).
func (l Settings) sets(setting string) bool {
	strings := map[string]string{
		"image": l.Name, "repo": l.Repo, "base-image": l.BaseImage, "libc": l.Libc, "compression": l.Compression,
		"bin": l.Bin, "entrypoint": l.Entrypoint, "profile": l.Profile, "cargo": l.Cargo, "user": l.User, "workdir": l.Workdir,
		"sbom": l.SBOM, "provenance": l.Provenance,
	}
	if v, ok := strings[setting]; ok {
		return v != ""
	}
	lists := map[string][]string{
		"bins": l.Bins, "platforms": l.Platforms, "cargo-args": l.CargoArgs, "args": l.Args, "ports": l.Ports, "tags": l.Tags,
	}
	if setting == "files" {
		return len(l.Files) > 0
	}
	return len(lists[setting]) > 0
}

// envSource says where the env variable key that wins the merge is set:
// env merges key by key.
func envSource(layers []Settings, key string) string {
	for _, l := range layers {
		if _, ok := l.Env[key]; ok {
			return l.where("env")
		}
	}
	return "env"
}
