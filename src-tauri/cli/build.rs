// `hush --version` names the commit it was built from (HUSH_GIT_COMMIT; see hush-build-info).
fn main() {
    hush_build_info::emit();
}
