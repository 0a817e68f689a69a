//! A hello-world Tauri 2 window: the benchmark's baseline. It does what a
//! freshly generated Tauri app does, plus the app's first-IPC launch mark.
//!
//! Not part of the product; built and run only by `scripts/bench`.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// The very same mark code the app uses (one relaxed atomic load when unset).
#[allow(dead_code)]
#[path = "../../../launch_marks.rs"]
mod launch_marks;

mod commands {
    #[tauri::command]
    pub fn greet(name: &str) -> String {
        format!("Hello, {name}!")
    }
}

fn main() {
    let handler: fn(tauri::ipc::Invoke) -> bool = tauri::generate_handler![commands::greet];
    tauri::Builder::default()
        .invoke_handler(move |invoke| {
            launch_marks::first_ipc();
            handler(invoke)
        })
        .run(tauri::generate_context!())
        .expect("error while running the hello-world window");
}
