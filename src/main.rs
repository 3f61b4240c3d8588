//! The `atelier` binary: `serve` (the default) and `migrate up|down|status`.

#[cfg(feature = "ssr")]
mod cli {
    use atelier::server::accounts::admin::{self, AdminOutcome};
    use atelier::server::config::Config;
    use atelier::server::db;
    use atelier::server::http;
    use atelier::server::state::AppState;
    use clap::{Parser, Subcommand};
    use migration::{Migrator, MigratorTrait};

    #[derive(Parser)]
    #[command(name = "atelier", version, about = "Atelier, an AI image design studio")]
    struct Cli {
        #[command(subcommand)]
        command: Option<Command>,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Run the studio (the default).
        Serve,
        /// Manage the database schema.
        Migrate {
            #[command(subcommand)]
            action: MigrateAction,
        },
        /// Manage administrators.
        Admin {
            #[command(subcommand)]
            action: AdminAction,
        },
    }

    #[derive(Subcommand)]
    enum AdminAction {
        /// Make an account an administrator, creating it (verified) when it does not exist.
        Create {
            #[arg(long)]
            email: String,
            /// Name for a new account.
            #[arg(long)]
            name: Option<String>,
            /// Read the new account's password from standard input instead of generating one.
            #[arg(long)]
            password_stdin: bool,
        },
    }

    #[derive(Subcommand)]
    enum MigrateAction {
        /// Apply every pending migration.
        Up,
        /// Roll back the most recent migrations.
        Down {
            /// How many migrations to roll back.
            #[arg(long, default_value_t = 1)]
            steps: u32,
        },
        /// List every migration and whether it is applied.
        Status,
    }

    pub async fn run() -> Result<(), String> {
        let cli = Cli::parse();
        // A .env beside the studio counts as environment; real variables still win.
        let _ = dotenvy::dotenv();
        let config = Config::load().map_err(|e| e.to_string())?;
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Migrate { action } => migrate(config, action).await,
            Command::Admin { action } => admin(config, action).await,
        }
    }

    async fn admin(config: Config, action: AdminAction) -> Result<(), String> {
        let AdminAction::Create { email, name, password_stdin } = action;
        let password = if password_stdin {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
            Some(line.trim_end_matches(['\r', '\n']).to_owned())
        } else {
            None
        };
        std::fs::create_dir_all(config.data_dir()).map_err(|e| format!("cannot create the data directory: {e}"))?;
        let conn = db::connect_and_migrate(&config.database_url())
            .await
            .map_err(|e| format!("cannot open the database: {e}"))?;
        let outcome =
            admin::create_or_promote(&conn, &email, name.as_deref(), password, config.limits.starting_credits)
                .await
                .map_err(|e| e.to_api_error().message)?;
        match outcome {
            AdminOutcome::Promoted(user) => println!("{} is now an administrator.", user.email),
            AdminOutcome::Created { user, generated_password: Some(password) } => {
                println!("Created administrator {} with password: {password}", user.email);
                println!("Sign in and change it under Settings → Security.");
            }
            AdminOutcome::Created { user, generated_password: None } => {
                println!("Created administrator {}.", user.email)
            }
        }
        Ok(())
    }

    async fn serve(config: Config) -> Result<(), String> {
        let address = config.address();
        let state = AppState::open(config).await.map_err(|e| e.to_string())?;
        tracing::info!(
            %address,
            database = ?state.db.get_database_backend(),
            storage = state.storage.kind(),
            engine = if state.config.uses_fal() { "fal.ai" } else { "offline renderer" },
            "Atelier is starting"
        );
        let listener =
            tokio::net::TcpListener::bind(address).await.map_err(|e| format!("cannot listen on {address}: {e}"))?;
        let engine = atelier::server::jobs::engine::Engine::start(state.clone());
        println!("Atelier is running at http://{address}");
        let served =
            axum::serve(listener, http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
                .with_graceful_shutdown(shutdown_signal())
                .await
                .map_err(|e| format!("server error: {e}"));
        engine.stop().await;
        served
    }

    async fn migrate(config: Config, action: MigrateAction) -> Result<(), String> {
        std::fs::create_dir_all(config.data_dir()).map_err(|e| format!("cannot create the data directory: {e}"))?;
        let conn = db::connect(&config.database_url()).await.map_err(|e| format!("cannot open the database: {e}"))?;
        let result = match action {
            MigrateAction::Up => Migrator::up(&conn, None).await,
            MigrateAction::Down { steps } => Migrator::down(&conn, Some(steps)).await,
            MigrateAction::Status => Migrator::status(&conn).await,
        };
        result.map_err(|e| format!("migration failed: {e}"))
    }

    async fn shutdown_signal() {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async {
            if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                signal.recv().await;
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate => {},
        }
    }
}

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use tracing_subscriber::EnvFilter;
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("ATELIER_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,aws=warn")),
        )
        .init();
    match cli::run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("atelier: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary; `lib.rs` holds its entry point.
}
