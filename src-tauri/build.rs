fn main() {
    // Capabilities live beside the shell's sources, not at the repository root.
    let attrs = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(&["app_info"]));
    tauri_build::try_build(attrs).expect("tauri-build failed");
}
