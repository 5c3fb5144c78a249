//! `ill-server`: the command line's subcommands (schema, tokens, passwords), or
//! the server, with logging, until SIGINT or SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use api::clock::SystemClock;
use api::config::{AccountCommand, Cli, Command, HoldingsCommand, LogFormat, TokenCommand};
use clap::Parser;
use domain::{LibraryId, Role};
use store::accounts::Account;
use store::Database;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.config.log_format);
    match run(cli).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ill-server: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::PrintSchema) => {
            print!("{}", api::graphql::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Token(TokenCommand::Create {
            library,
            name,
            role,
        })) => {
            let database = Database::connect(&cli.config.database_url).await?;
            let library =
                LibraryId::parse("library", &library).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role = Role::parse(&role).context("role")?;
            if name.trim().is_empty() {
                bail!("--name must not be blank");
            }
            let (token, hash) = api::auth::new_token();
            let account = Account {
                library,
                name: name.trim().to_owned(),
                role,
            };
            store::accounts::add_token(&database, &account, &hash).await?;
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Account(AccountCommand::SetPassword {
            library,
            name,
            role,
        })) => {
            let library =
                LibraryId::parse("library", &library).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role = role
                .as_deref()
                .map(Role::parse)
                .map(|r| r.context("role"))
                .transpose()?;
            if name.trim().is_empty() {
                bail!("--name must not be blank");
            }
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password from stdin")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            api::auth::passwords::check_policy(&password)
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            let hash = api::auth::passwords::hash(password)
                .await
                .map_err(|e| anyhow::anyhow!(e.message()))?;
            let database = Database::connect(&cli.config.database_url).await?;
            let account =
                store::sessions::set_password(&database, &library, name.trim(), role, &hash)
                    .await?;
            println!(
                "password set for {} {} ({})",
                account.library,
                account.name,
                account.role.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Holdings(HoldingsCommand::Import {
            library,
            format,
            items,
            file,
        })) => Ok(holdings_import(
            &cli.config.database_url,
            &library,
            format.as_deref(),
            items.as_deref(),
            &file,
        )
        .await),
        None => serve(cli).await,
    }
}

/// Prints the summary (exit 0), or the failure with its exit code.
async fn holdings_import(
    database_url: &str,
    library: &str,
    format: Option<&str>,
    items: Option<&str>,
    file: &std::path::Path,
) -> ExitCode {
    match api::holdings_command::run(database_url, library, format, items, file).await {
        Ok(summary) => {
            println!("{}", serde_json::to_string(&summary).expect("a summary serialises"));
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("ill-server: {failure}");
            failure.exit_code()
        }
    }
}

async fn serve(cli: Cli) -> anyhow::Result<ExitCode> {
    let server = api::start(cli.config.settings(), Arc::new(SystemClock))
        .await
        .context("starting the server")?;
    println!("listening on http://{}", server.addr);
    let shutdown = server.shutdown_handle();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("stopping: finishing in-flight requests");
        let _ = shutdown.send(true);
    });
    server.stop_when_told().await;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("install the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
