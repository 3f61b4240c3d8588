//! `fal-emulator`: serves the fal.ai emulator until killed.

use clap::Parser;
use fal_emulator::{Emulator, EmulatorConfig};
use std::net::SocketAddr;
use std::time::Duration;

/// A protocol-faithful fal.ai emulator rendering with Atelier's offline renderer.
#[derive(Parser)]
#[command(name = "fal-emulator", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "FAL_EMULATOR_LISTEN", default_value = "127.0.0.1:8790")]
    listen: SocketAddr,
    /// The key callers must send as `Authorization: Key <key>`.
    #[arg(long, env = "FAL_EMULATOR_KEY", default_value = "emulator-key")]
    key: String,
    /// Requests run at the same time.
    #[arg(long, env = "FAL_EMULATOR_RUNNERS", default_value_t = 2)]
    runners: usize,
    /// Milliseconds slept per render step.
    #[arg(long, env = "FAL_EMULATOR_STEP_DELAY_MS", default_value_t = 0)]
    step_delay_ms: u64,
    /// Delivery attempts per webhook.
    #[arg(long, env = "FAL_EMULATOR_WEBHOOK_ATTEMPTS", default_value_t = 3)]
    webhook_attempts: u32,
    /// Milliseconds between webhook attempts.
    #[arg(long, env = "FAL_EMULATOR_WEBHOOK_RETRY_DELAY_MS", default_value_t = 200)]
    webhook_retry_delay_ms: u64,
    /// Base of the URLs handed out, when clients reach the emulator by another address.
    #[arg(long, env = "FAL_EMULATOR_PUBLIC_URL")]
    public_url: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("fal_emulator=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let config = EmulatorConfig {
        key: args.key,
        runners: args.runners,
        step_delay: Duration::from_millis(args.step_delay_ms),
        webhook_attempts: args.webhook_attempts,
        webhook_retry_delay: Duration::from_millis(args.webhook_retry_delay_ms),
        public_url: args.public_url,
    };
    let emulator = match Emulator::start(config, args.listen).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("error: could not start the fal emulator on {}: {error}", args.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("fal emulator listening on {}", emulator.url());
    wait_for_termination().await;
    emulator.shutdown().await;
    std::process::ExitCode::SUCCESS
}

async fn wait_for_termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
