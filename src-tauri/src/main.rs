#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
fn main() {
    hush_desktop_lib::run()
}
