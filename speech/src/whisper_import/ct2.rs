//! Reader for CTranslate2's `model.bin`, the single-file format faster-whisper ships: a little-endian header (binary
//! version, model specification name and revision), a table of named variables, each with its shape, element type
//! and raw bytes, and finally a table of aliases (names that share another variable's storage, such as a decoder's
//! output projection tied to its token embedding).
//!
//! Parsing borrows the tensor bytes from the input instead of copying them, so a 145 MB model costs only its
//! variable directory in memory. Every read is bounds-checked: a truncated or corrupt file gives a
//! [`WhisperImportError`] that says what was being read and where, never a panic.

use std::collections::HashMap;
use std::fmt;

use super::WhisperImportError;

/// The binary versions whose variable table this reader understands. Versions 1 to 3 recorded only an item size per
/// variable, which cannot tell half floats from 16-bit integers; versions 4 to 6 record the element type itself.
pub const SUPPORTED_CT2_BINARY_VERSIONS: std::ops::RangeInclusive<u32> = 4..=6;

/// The element type of a CTranslate2 variable, numbered as in CTranslate2's own `DataType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ct2DataType {
    /// IEEE 754 single precision.
    Float32,
    /// Signed 8-bit integer, used by quantised weights and by small configuration flags.
    Int8,
    /// Signed 16-bit integer, used for configuration values such as the number of attention heads.
    Int16,
    /// Signed 32-bit integer.
    Int32,
    /// IEEE 754 half precision.
    Float16,
    /// Brain floating point: the upper 16 bits of an `f32`.
    BFloat16,
}

impl Ct2DataType {
    /// Maps the type identifier stored in the file to a data type, if it is one CTranslate2 defines.
    pub fn from_identifier(identifier: u8) -> Option<Self> {
        match identifier {
            0 => Some(Self::Float32),
            1 => Some(Self::Int8),
            2 => Some(Self::Int16),
            3 => Some(Self::Int32),
            4 => Some(Self::Float16),
            5 => Some(Self::BFloat16),
            _ => None,
        }
    }

    /// The size of one element in bytes.
    pub fn element_size(self) -> usize {
        match self {
            Self::Int8 => 1,
            Self::Int16 | Self::Float16 | Self::BFloat16 => 2,
            Self::Float32 | Self::Int32 => 4,
        }
    }

    /// Whether the type holds floating-point values.
    pub fn is_floating_point(self) -> bool {
        matches!(self, Self::Float32 | Self::Float16 | Self::BFloat16)
    }
}

impl fmt::Display for Ct2DataType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Float32 => "float32",
            Self::Int8 => "int8",
            Self::Int16 => "int16",
            Self::Int32 => "int32",
            Self::Float16 => "float16",
            Self::BFloat16 => "bfloat16",
        };
        formatter.write_str(name)
    }
}

/// One variable of the model: its name, shape (outermost dimension first, row-major data) and borrowed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ct2Variable<'model> {
    /// The slash-separated variable name, such as `encoder/layer_0/self_attention/linear_0/weight`.
    pub name: String,
    /// The dimensions, outermost first; empty for a scalar.
    pub shape: Vec<u32>,
    /// The element type.
    pub data_type: Ct2DataType,
    /// The little-endian element bytes, `element_count() * data_type.element_size()` of them.
    pub data: &'model [u8],
    /// Where the element bytes start in the model file, for error messages and diagnostics.
    pub data_offset: usize,
}

impl Ct2Variable<'_> {
    /// The number of elements: the product of the dimensions, or one for a scalar.
    pub fn element_count(&self) -> usize {
        self.data.len() / self.data_type.element_size()
    }

    /// The value of a scalar integer variable (a flag or a count), or `None` if the variable is not one.
    pub fn scalar_integer(&self) -> Option<i64> {
        if !self.shape.is_empty() {
            return None;
        }
        match self.data_type {
            Ct2DataType::Int8 => Some(i64::from(i8::from_le_bytes([*self.data.first()?]))),
            Ct2DataType::Int16 => Some(i64::from(i16::from_le_bytes(self.data.try_into().ok()?))),
            Ct2DataType::Int32 => Some(i64::from(i32::from_le_bytes(self.data.try_into().ok()?))),
            _ => None,
        }
    }
}

/// An alias: a second name for a variable stored once in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ct2Alias {
    /// The extra name.
    pub alias: String,
    /// The name of the stored variable it refers to.
    pub target: String,
}

/// A parsed CTranslate2 model whose variables borrow their bytes from the file contents.
#[derive(Debug, Clone)]
pub struct Ct2Model<'model> {
    /// The binary format version from the header.
    pub binary_version: u32,
    /// The model specification, such as `WhisperSpec`.
    pub spec_name: String,
    /// The revision of that specification.
    pub spec_revision: u32,
    /// The stored variables in file order.
    pub variables: Vec<Ct2Variable<'model>>,
    /// The aliases in file order.
    pub aliases: Vec<Ct2Alias>,
    index_by_name: HashMap<String, usize>,
}

impl<'model> Ct2Model<'model> {
    /// Parses a whole `model.bin`. The input must end exactly after the alias table.
    pub fn parse(bytes: &'model [u8]) -> Result<Self, WhisperImportError> {
        let mut cursor = ByteCursor { bytes, offset: 0 };
        let binary_version = cursor.read_u32("the binary version")?;
        if !SUPPORTED_CT2_BINARY_VERSIONS.contains(&binary_version) {
            return Err(WhisperImportError::UnsupportedBinaryVersion(binary_version));
        }
        let spec_name = cursor.read_string("the specification name")?;
        let spec_revision = cursor.read_u32("the specification revision")?;
        let variable_count = cursor.read_u32("the variable count")?;

        // The count comes from the file, so let the vector grow as variables are really read rather than trusting it.
        let mut variables = Vec::new();
        let mut index_by_name = HashMap::new();
        for variable_number in 0..variable_count {
            let variable = cursor.read_variable(variable_number)?;
            if index_by_name
                .insert(variable.name.clone(), variables.len())
                .is_some()
            {
                return Err(cursor.corrupt(format!("variable `{}` is stored twice", variable.name)));
            }
            variables.push(variable);
        }

        let alias_count = cursor.read_u32("the alias count")?;
        let mut aliases = Vec::new();
        for alias_number in 0..alias_count {
            let alias = cursor.read_string(&format!("the name of alias {alias_number}"))?;
            let target = cursor.read_string(&format!("the target of alias `{alias}`"))?;
            if index_by_name.contains_key(&alias)
                || aliases.iter().any(|known: &Ct2Alias| known.alias == alias)
            {
                return Err(cursor.corrupt(format!(
                    "alias `{alias}` reuses the name of another variable"
                )));
            }
            if !index_by_name.contains_key(&target) {
                return Err(cursor.corrupt(format!(
                    "alias `{alias}` refers to `{target}`, which is not stored"
                )));
            }
            aliases.push(Ct2Alias { alias, target });
        }

        let unread = bytes.len() - cursor.offset;
        if unread != 0 {
            return Err(cursor.corrupt(format!("{unread} unexpected bytes follow the alias table")));
        }
        Ok(Self {
            binary_version,
            spec_name,
            spec_revision,
            variables,
            aliases,
            index_by_name,
        })
    }

    /// Looks a variable up by name, following an alias to the variable it names.
    pub fn variable(&self, name: &str) -> Option<&Ct2Variable<'model>> {
        let stored_name = self.alias_target(name).unwrap_or(name);
        self.index_by_name
            .get(stored_name)
            .map(|&index| &self.variables[index])
    }

    /// The stored variable an alias refers to, or `None` if `name` is not an alias.
    pub fn alias_target(&self, name: &str) -> Option<&str> {
        self.aliases
            .iter()
            .find(|alias| alias.alias == name)
            .map(|alias| alias.target.as_str())
    }
}

/// A position in the input with bounds-checked little-endian reads.
struct ByteCursor<'model> {
    bytes: &'model [u8],
    offset: usize,
}

impl<'model> ByteCursor<'model> {
    fn take(&mut self, length: usize, what: &str) -> Result<&'model [u8], WhisperImportError> {
        let available = self.bytes.len() - self.offset;
        if length > available {
            return Err(WhisperImportError::Truncated {
                what: what.to_owned(),
                offset: self.offset,
                needed: length,
                available,
            });
        }
        let slice = &self.bytes[self.offset..self.offset + length];
        self.offset += length;
        Ok(slice)
    }

    fn read_u8(&mut self, what: &str) -> Result<u8, WhisperImportError> {
        Ok(self.take(1, what)?[0])
    }

    fn read_u16(&mut self, what: &str) -> Result<u16, WhisperImportError> {
        let bytes = self.take(2, what)?;
        Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
    }

    fn read_u32(&mut self, what: &str) -> Result<u32, WhisperImportError> {
        let bytes = self.take(4, what)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// Reads a string stored as a 16-bit byte length that counts a terminating NUL, then the bytes and the NUL.
    fn read_string(&mut self, what: &str) -> Result<String, WhisperImportError> {
        let start = self.offset;
        let length = usize::from(self.read_u16(what)?);
        let bytes = self.take(length, what)?;
        let Some((&terminator, text)) = bytes.split_last() else {
            return Err(self.corrupt_at(
                start,
                format!("{what} has length zero, without its terminating NUL"),
            ));
        };
        if terminator != 0 || text.contains(&0) {
            return Err(self.corrupt_at(start, format!("{what} is not a NUL-terminated string")));
        }
        String::from_utf8(text.to_vec())
            .map_err(|_| self.corrupt_at(start, format!("{what} is not valid UTF-8")))
    }

    fn read_variable(
        &mut self,
        variable_number: u32,
    ) -> Result<Ct2Variable<'model>, WhisperImportError> {
        let name = self.read_string(&format!("the name of variable {variable_number}"))?;
        let rank = usize::from(self.read_u8(&format!("the rank of `{name}`"))?);
        let mut shape = Vec::with_capacity(rank);
        for _ in 0..rank {
            shape.push(self.read_u32(&format!("the shape of `{name}`"))?);
        }
        let type_offset = self.offset;
        let type_identifier = self.read_u8(&format!("the data type of `{name}`"))?;
        let data_type = Ct2DataType::from_identifier(type_identifier).ok_or_else(|| {
            self.corrupt_at(
                type_offset,
                format!("`{name}` has unknown data type identifier {type_identifier}"),
            )
        })?;
        let byte_count = self.read_u32(&format!("the byte count of `{name}`"))?;

        let expected_byte_count = shape
            .iter()
            .try_fold(data_type.element_size() as u64, |product, &dimension| {
                product.checked_mul(u64::from(dimension))
            });
        if expected_byte_count != Some(u64::from(byte_count)) {
            return Err(self.corrupt_at(
                type_offset,
                format!("`{name}` declares {byte_count} bytes, but its shape {shape:?} of {data_type} needs a different amount"),
            ));
        }
        let data_offset = self.offset;
        let data = self.take(byte_count as usize, &format!("the data of `{name}`"))?;
        Ok(Ct2Variable {
            name,
            shape,
            data_type,
            data,
            data_offset,
        })
    }

    fn corrupt(&self, reason: String) -> WhisperImportError {
        self.corrupt_at(self.offset, reason)
    }

    fn corrupt_at(&self, offset: usize, reason: String) -> WhisperImportError {
        WhisperImportError::Corrupt { offset, reason }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        Ct2FileBuilder, TinyWhisperDimensions, tiny_whisper_ct2_file,
    };
    use super::*;

    #[test]
    fn parses_the_header_variables_and_aliases_of_a_tiny_whisper_file() {
        let dimensions = TinyWhisperDimensions::default();
        let file = tiny_whisper_ct2_file(&dimensions);
        let model = Ct2Model::parse(&file).expect("the synthetic file parses");

        assert_eq!(model.binary_version, 6);
        assert_eq!(model.spec_name, "WhisperSpec");
        assert_eq!(model.spec_revision, 3);
        assert_eq!(
            model.aliases,
            vec![Ct2Alias {
                alias: "decoder/projection/weight".to_owned(),
                target: "decoder/embeddings/weight".to_owned(),
            }]
        );

        let fused = model
            .variable("encoder/layer_1/self_attention/linear_0/weight")
            .expect("fused projection");
        assert_eq!(fused.shape, vec![3 * dimensions.width, dimensions.width]);
        assert_eq!(fused.data_type, Ct2DataType::Float16);
        assert_eq!(
            fused.element_count(),
            (3 * dimensions.width * dimensions.width) as usize
        );
        assert_eq!(
            &file[fused.data_offset..fused.data_offset + fused.data.len()],
            fused.data
        );

        let heads = model.variable("decoder/num_heads").expect("head count");
        assert_eq!(heads.data_type, Ct2DataType::Int16);
        assert_eq!(heads.scalar_integer(), Some(i64::from(dimensions.heads)));
        assert_eq!(
            model
                .variable("decoder/pre_norm")
                .and_then(Ct2Variable::scalar_integer),
            Some(1)
        );

        let projection = model
            .variable("decoder/projection/weight")
            .expect("alias resolves");
        assert_eq!(projection.name, "decoder/embeddings/weight");
        assert_eq!(model.alias_target("decoder/embeddings/weight"), None);
        assert!(model.variable("decoder/no_such_thing").is_none());
    }

    #[test]
    fn every_truncation_is_reported_as_such_and_never_panics() {
        let file = tiny_whisper_ct2_file(&TinyWhisperDimensions::default());
        let model = Ct2Model::parse(&file).expect("the synthetic file parses");
        // Cut inside the header, at and around every variable's data boundaries, and at a stride through the rest.
        let mut cut_points: Vec<usize> = (0..64).collect();
        for variable in &model.variables {
            for cut in [
                variable.data_offset - 1,
                variable.data_offset,
                variable.data_offset + 1,
            ] {
                cut_points.push(cut);
            }
        }
        cut_points.extend((0..file.len()).step_by(4099));
        cut_points.push(file.len() - 1);
        for cut in cut_points {
            match Ct2Model::parse(&file[..cut]) {
                Err(WhisperImportError::Truncated {
                    offset,
                    needed,
                    available,
                    ..
                }) => {
                    assert!(offset <= cut && needed > available, "cut at {cut}");
                }
                other => panic!("cut at {cut} gave {other:?}"),
            }
        }
    }

    #[test]
    fn corrupt_structures_are_rejected_with_their_offset() {
        let variable_with = |type_identifier: u8, byte_count: u32, data: &[u8]| {
            let mut builder = Ct2FileBuilder::new(6, "WhisperSpec", 3);
            builder.raw_variable("x", &[2], type_identifier, byte_count, data);
            builder.finish()
        };
        let unknown_type = variable_with(9, 4, &[0; 4]);
        assert!(matches!(
            Ct2Model::parse(&unknown_type),
            Err(WhisperImportError::Corrupt { reason, .. }) if reason.contains("unknown data type identifier 9")
        ));
        let wrong_size = variable_with(4, 6, &[0; 6]);
        assert!(matches!(
            Ct2Model::parse(&wrong_size),
            Err(WhisperImportError::Corrupt { reason, .. }) if reason.contains("declares 6 bytes")
        ));

        let mut trailing = variable_with(4, 4, &[0; 4]);
        trailing.push(0);
        assert!(matches!(
            Ct2Model::parse(&trailing),
            Err(WhisperImportError::Corrupt { reason, .. }) if reason.contains("1 unexpected bytes")
        ));

        let mut dangling_alias = Ct2FileBuilder::new(6, "WhisperSpec", 3);
        dangling_alias.float16_variable("a", &[1], &[0x3c00]);
        dangling_alias.alias("b", "missing");
        assert!(matches!(
            Ct2Model::parse(&dangling_alias.finish()),
            Err(WhisperImportError::Corrupt { reason, .. }) if reason.contains("`missing`, which is not stored")
        ));

        let mut duplicate = Ct2FileBuilder::new(6, "WhisperSpec", 3);
        duplicate.float16_variable("a", &[1], &[0x3c00]);
        duplicate.float16_variable("a", &[1], &[0x3c00]);
        assert!(matches!(
            Ct2Model::parse(&duplicate.finish()),
            Err(WhisperImportError::Corrupt { reason, .. }) if reason.contains("stored twice")
        ));

        // A string whose last byte is not the NUL terminator: patch the spec name's terminator.
        let mut unterminated = Ct2FileBuilder::new(6, "WhisperSpec", 3).finish();
        let terminator_offset = 4 + 2 + "WhisperSpec".len();
        unterminated[terminator_offset] = b'!';
        assert_eq!(
            Ct2Model::parse(&unterminated).map(|model| model.spec_name),
            Err(WhisperImportError::Corrupt {
                offset: 4,
                reason: "the specification name is not a NUL-terminated string".to_owned()
            })
        );

        let old_version = Ct2FileBuilder::new(3, "WhisperSpec", 3).finish();
        assert_eq!(
            Ct2Model::parse(&old_version).map(|model| model.binary_version),
            Err(WhisperImportError::UnsupportedBinaryVersion(3))
        );
    }

    #[test]
    fn a_shape_whose_byte_count_overflows_is_corrupt_rather_than_a_panic() {
        let mut builder = Ct2FileBuilder::new(6, "WhisperSpec", 3);
        builder.raw_variable("huge", &[u32::MAX, u32::MAX, u32::MAX], 0, 0, &[]);
        assert!(matches!(
            Ct2Model::parse(&builder.finish()),
            Err(WhisperImportError::Corrupt { .. })
        ));
    }
}
