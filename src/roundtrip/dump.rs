//! The canonical text form of a profile, pprof or OTLP (`pprotel dump`, docs/dump.md).
//!
//! Every index and id is resolved to what it names, and table entries are named by position,
//! so the text shows information and not encoding: two semantically equal profiles whose
//! tables are in the same order dump identically, whatever their ids and string tables. That
//! makes a dump a good input for a line diff, and a snapshot that survives re-encoding.
//!
//! Stack frames repeat for every sample that uses them, so each location's frame lines are
//! rendered once and copied; a 20k-sample, 30-frame profile is mostly `memcpy`.

use std::fmt::Write;

use super::difference::{hex, quote};
use super::otlp_values::{
    Attr, EMPTY_DICTIONARY, Pool, Reached, StringIds, render_entity_ref, render_id, render_link,
    render_payload, write_pprof_label,
};
use super::resolve::{ResolvedPprof, Strings, Target};
use crate::otlp::common::KeyValue;
use crate::otlp::model::{Profile as OtlpProfile, ProfilesData, ProfilesDictionary, ValueType};
use crate::pprof::Profile;

/// Writes `pprof` profile `p` in the canonical text form.
pub(crate) fn dump_pprof(p: &Profile) -> String {
    let mut strings = Strings::default();
    strings.reserve(p.string_table.len());
    let r = ResolvedPprof::new(p, &mut strings);
    let strings = &strings;
    let s = |i: i64| strings.render(r.str(i));
    let mut out = String::with_capacity(64 * 1024);

    out.push_str("pprof\n");
    for (k, vt) in p.sample_type.iter().enumerate() {
        let _ = writeln!(out, "sample_type[{k}]: {} {}", s(vt.r#type), s(vt.unit));
    }
    let _ = writeln!(out, "default_sample_type: {}", s(p.default_sample_type));
    // An absent period type says the same as ("", "") (DESIGN.md, "Lossless, precisely").
    let (pt, pu) = p.period_type.map_or((0, 0), |vt| (vt.r#type, vt.unit));
    let _ = writeln!(out, "period_type: {} {}", s(pt), s(pu));
    let _ = writeln!(out, "period: {}", p.period);
    let _ = writeln!(out, "time_nanos: {}", p.time_nanos);
    let _ = writeln!(out, "duration_nanos: {}", p.duration_nanos);
    let _ = writeln!(out, "drop_frames: {}", s(p.drop_frames));
    let _ = writeln!(out, "keep_frames: {}", s(p.keep_frames));
    let _ = writeln!(out, "doc_url: {}", s(p.doc_url));
    for (k, &c) in p.comment.iter().enumerate() {
        let _ = writeln!(out, "comment[{k}]: {}", s(c));
    }

    // What samples reach, for the "(unreferenced)" marks.
    let mut location_used = vec![false; p.location.len()];
    for sample in &p.sample {
        for &id in &sample.location_id {
            if let Target::Entry(l) = r.location_target(id) {
                location_used[l as usize] = true;
            }
        }
    }
    let mut mapping_used = vec![false; p.mapping.len()];
    let mut function_used = vec![false; p.function.len()];
    for (l, location) in p.location.iter().enumerate() {
        if !location_used[l] {
            continue;
        }
        if let Target::Entry(m) = r.mapping_of(location) {
            mapping_used[m as usize] = true;
        }
        for line in &location.line {
            if let Target::Entry(f) = r.function_of(line) {
                function_used[f as usize] = true;
            }
        }
    }

    let mapping_ref = |t: Target| match t {
        Target::None => "<no mapping>".to_owned(),
        Target::Missing(id) => format!("<missing mapping id {id}>"),
        Target::Entry(m) => s(p.mapping[m as usize].filename),
    };
    let frame_bodies = |l: usize| -> Vec<String> {
        let location = &p.location[l];
        let head = format!(
            "location[{l}] {} {}",
            mapping_ref(r.mapping_of(location)),
            hex(location.address)
        );
        if location.line.is_empty() {
            return vec![head];
        }
        location
            .line
            .iter()
            .map(|line| {
                let function = match r.function_of(line) {
                    Target::None => "<no function>".to_owned(),
                    Target::Missing(id) => format!("<missing function id {id}>"),
                    Target::Entry(f) => {
                        let f = &p.function[f as usize];
                        format!("{} {}", s(f.name), s(f.filename))
                    }
                };
                format!("{head} {function}:{}:{}", line.line, line.column)
            })
            .collect()
    };
    // Render every frame up front, so the output can be sized once: a large profile's dump is
    // tens of megabytes, and growing it by doubling copies as much again.
    let mut frames: Vec<Option<Vec<String>>> = vec![None; p.location.len()];
    let mut frame_bytes = 0;
    for sample in &p.sample {
        for &id in &sample.location_id {
            if let Target::Entry(l) = r.location_target(id) {
                let bodies = frames[l as usize].get_or_insert_with(|| frame_bodies(l as usize));
                frame_bytes += bodies.iter().map(|b| b.len() + 12).sum::<usize>();
            }
        }
    }
    out.reserve(frame_bytes + p.sample.len() * 64);
    let mut writer = Frames::default();

    let _ = writeln!(out, "samples: {}", p.sample.len());
    let mut labels = Vec::new();
    for (i, sample) in p.sample.iter().enumerate() {
        let _ = write!(out, "sample[{i}]: values ");
        write_values(&sample.value, &mut out);
        out.push('\n');
        labels.clear();
        labels.extend(sample.label.iter().map(|l| (r.str(l.key), l)));
        labels.sort_by(|x, y| strings.cmp(x.0, y.0));
        for &(key, label) in &labels {
            let _ = write!(out, "  label {} = ", strings.render(key));
            let (str, unit) = (r.str(label.str), r.str(label.num_unit));
            write_pprof_label(
                &strings.render(str),
                strings.is_empty(str),
                label.num,
                &strings.render(unit),
                strings.is_empty(unit),
                &mut out,
            );
            out.push('\n');
        }
        for (k, &id) in sample.location_id.iter().enumerate() {
            match r.location_target(id) {
                Target::Entry(l) => {
                    let l = l as usize;
                    let bodies = frames[l].get_or_insert_with(|| frame_bodies(l));
                    writer.write(k, bodies, "  ", &mut out);
                }
                Target::None | Target::Missing(_) => {
                    let _ = writeln!(out, "  #{k} <missing location id {id}>");
                }
            }
        }
    }

    out.push_str("mappings:\n");
    for (m, mapping) in p.mapping.iter().enumerate() {
        let _ = write!(
            out,
            "mapping[{m}]: memory_start {} memory_limit {} file_offset {} filename {} build_id {}",
            hex(mapping.memory_start),
            hex(mapping.memory_limit),
            hex(mapping.file_offset),
            s(mapping.filename),
            s(mapping.build_id)
        );
        for (flag, name) in [
            (mapping.has_functions, "has_functions"),
            (mapping.has_filenames, "has_filenames"),
            (mapping.has_line_numbers, "has_line_numbers"),
            (mapping.has_inline_frames, "has_inline_frames"),
        ] {
            if flag {
                out.push(' ');
                out.push_str(name);
            }
        }
        end_entry(mapping_used[m], &mut out);
    }
    out.push_str("functions:\n");
    for (f, function) in p.function.iter().enumerate() {
        let _ = write!(
            out,
            "function[{f}]: name {} system_name {} filename {} start_line {}",
            s(function.name),
            s(function.system_name),
            s(function.filename),
            function.start_line
        );
        end_entry(function_used[f], &mut out);
    }
    out.push_str("locations:\n");
    for (l, location) in p.location.iter().enumerate() {
        let mapping = match r.mapping_of(location) {
            Target::Entry(m) => format!("mapping[{m}] {}", mapping_ref(Target::Entry(m))),
            other => mapping_ref(other),
        };
        let _ = write!(
            out,
            "location[{l}]: address {} {mapping}",
            hex(location.address)
        );
        if location.is_folded {
            out.push_str(" is_folded");
        }
        end_entry(location_used[l], &mut out);
        for (n, line) in location.line.iter().enumerate() {
            let function = match r.function_of(line) {
                Target::None => "<no function>".to_owned(),
                Target::Missing(id) => format!("<missing function id {id}>"),
                Target::Entry(f) => format!("function[{f}] {}", s(p.function[f as usize].name)),
            };
            let _ = writeln!(
                out,
                "  line[{n}]: {function} line {} column {}",
                line.line, line.column
            );
        }
    }
    out
}

/// Ends a table entry's first line, marking entries no sample reaches.
fn end_entry(used: bool, out: &mut String) {
    if !used {
        out.push_str(" (unreferenced)");
    }
    out.push('\n');
}

/// `[1, 2, 3]`.
fn write_values<T: std::fmt::Display>(values: &[T], out: &mut String) {
    out.push('[');
    for (n, v) in values.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{v}");
    }
    out.push(']');
}

/// Writes stack frames: frame `k` is one line per inline line of its location, innermost
/// first, numbered `#k` when the location has one line and `#k.0`, `#k.1`… when it has
/// several. The `#k ` prefixes are built once: formatting a number per frame was a tenth of
/// the time of a large dump.
#[derive(Default)]
struct Frames {
    prefixes: Vec<String>,
}

impl Frames {
    fn write(&mut self, k: usize, bodies: &[String], indent: &str, out: &mut String) {
        if let [body] = bodies {
            while self.prefixes.len() <= k {
                let next = self.prefixes.len();
                self.prefixes.push(format!("#{next} "));
            }
            out.push_str(indent);
            out.push_str(&self.prefixes[k]);
            out.push_str(body);
            out.push('\n');
            return;
        }
        for (n, body) in bodies.iter().enumerate() {
            let _ = writeln!(out, "{indent}#{k}.{n} {body}");
        }
    }
}

/// Writes OTLP `ProfilesData` in the canonical text form.
pub(crate) fn dump_otlp(d: &ProfilesData) -> String {
    let dict = d.dictionary.as_ref().unwrap_or(&EMPTY_DICTIONARY);
    let mut pool = Pool::new();
    let strings = pool.strings(&dict.string_table);
    let attributes: Vec<Attr> = dict
        .attribute_table
        .iter()
        .map(|a| pool.table_attr(&strings, a))
        .collect();
    let mut w = OtlpWriter {
        dict,
        strings,
        attributes,
        reached: Reached::new(d, dict),
        frames: vec![None; dict.location_table.len()],
        writer: Frames::default(),
        out: String::new(),
        pool,
    };
    w.reserve(d);
    w.out.push_str("otlp\n");
    for (r, rp) in d.resource_profiles.iter().enumerate() {
        w.resource(r, rp);
    }
    w.tables();
    w.out
}

struct OtlpWriter<'p> {
    dict: &'p ProfilesDictionary,
    pool: Pool<'p>,
    strings: StringIds,
    attributes: Vec<Attr>,
    reached: Reached,
    /// Frame lines of each location, rendered on first use.
    frames: Vec<Option<Vec<String>>>,
    writer: Frames,
    out: String,
}

impl<'p> OtlpWriter<'p> {
    /// Renders every frame samples use and sizes the output once (see `dump_pprof`).
    fn reserve(&mut self, d: &ProfilesData) {
        let mut bytes = 64 * 1024;
        for profile in d
            .resource_profiles
            .iter()
            .flat_map(|rp| &rp.scope_profiles)
            .flat_map(|sp| &sp.profiles)
        {
            for sample in &profile.samples {
                bytes += 64;
                let Some(stack) = usize::try_from(sample.stack_index)
                    .ok()
                    .and_then(|s| self.dict.stack_table.get(s))
                else {
                    continue;
                };
                for &l in &stack.location_indices {
                    let Some(l) = usize::try_from(l).ok().filter(|&l| l < self.frames.len()) else {
                        continue;
                    };
                    if self.frames[l].is_none() {
                        self.frames[l] = Some(self.frame_bodies(l));
                    }
                    bytes += self.frames[l]
                        .iter()
                        .flatten()
                        .map(|b| b.len() + 16)
                        .sum::<usize>();
                }
            }
        }
        self.out.reserve(bytes);
    }

    fn s(&self, i: i32) -> String {
        self.pool.render_str(self.strings.get(i))
    }

    /// Writes `attribute "key" = value` lines for resolved attributes, sorted by key.
    fn attrs(&mut self, mut attrs: Vec<Attr>, indent: &str) {
        self.pool.sort_by_key(&mut attrs);
        for a in &attrs {
            self.out.push_str(indent);
            self.out.push_str("attribute ");
            self.pool.write_str(a.key, &mut self.out);
            self.out.push_str(" = ");
            let value = self.pool.render_attr_value(a);
            self.out.push_str(&value);
            self.out.push('\n');
        }
    }

    /// Attribute lines for dictionary attribute indices; indices outside the table are written
    /// after the others, in their order.
    fn indexed_attrs(&mut self, indices: &[i32], indent: &str, profile_level: bool) {
        let mut attrs = Vec::with_capacity(indices.len());
        let mut bad = Vec::new();
        for &a in indices {
            match usize::try_from(a).ok().and_then(|a| self.attributes.get(a)) {
                Some(attr) => attrs.push(*attr),
                None => bad.push(a),
            }
        }
        if profile_level {
            self.pool.normalize_comments(&mut attrs);
        }
        self.attrs(attrs, indent);
        for a in bad {
            let _ = writeln!(
                self.out,
                "{indent}attribute <attribute index {a} out of range>"
            );
        }
    }

    fn key_values(&mut self, kvs: &'p [KeyValue], indent: &str) {
        let attrs = kvs
            .iter()
            .map(|kv| self.pool.key_value(&self.strings, kv))
            .collect();
        self.attrs(attrs, indent);
    }

    fn resource(&mut self, r: usize, rp: &'p crate::otlp::model::ResourceProfiles) {
        let _ = writeln!(self.out, "resource[{r}]:");
        let _ = writeln!(
            self.out,
            "  schema_url: {}",
            quote(rp.schema_url.as_bytes())
        );
        let (attributes, dropped, entity_refs) = match &rp.resource {
            Some(res) => (
                &res.attributes[..],
                res.dropped_attributes_count,
                &res.entity_refs[..],
            ),
            None => (&[][..], 0, &[][..]),
        };
        let _ = writeln!(self.out, "  dropped_attributes_count: {dropped}");
        self.key_values(attributes, "  ");
        for (e, er) in entity_refs.iter().enumerate() {
            let _ = writeln!(self.out, "  entity_ref[{e}]: {}", render_entity_ref(er));
        }
        for (s, sp) in rp.scope_profiles.iter().enumerate() {
            let q = |t: &str| quote(t.as_bytes());
            let _ = writeln!(self.out, "  scope[{s}]:");
            let (name, version, attributes, dropped) = match &sp.scope {
                Some(sc) => (
                    &sc.name[..],
                    &sc.version[..],
                    &sc.attributes[..],
                    sc.dropped_attributes_count,
                ),
                None => ("", "", &[][..], 0),
            };
            let _ = writeln!(self.out, "    name: {}", q(name));
            let _ = writeln!(self.out, "    version: {}", q(version));
            let _ = writeln!(self.out, "    schema_url: {}", q(&sp.schema_url));
            let _ = writeln!(self.out, "    dropped_attributes_count: {dropped}");
            self.key_values(attributes, "    ");
            for (p, profile) in sp.profiles.iter().enumerate() {
                self.profile(p, profile);
            }
        }
    }

    fn value_type(&self, vt: Option<&ValueType>) -> String {
        // Absent reads as ("", ""), as in pprof.
        let vt = vt.copied().unwrap_or_default();
        format!("{} {}", self.s(vt.type_strindex), self.s(vt.unit_strindex))
    }

    fn profile(&mut self, p: usize, profile: &'p OtlpProfile) {
        let _ = writeln!(self.out, "    profile[{p}]:");
        let sample_type = self.value_type(profile.sample_type.as_ref());
        let period_type = self.value_type(profile.period_type.as_ref());
        let o = &mut self.out;
        let _ = writeln!(o, "      sample_type: {sample_type}");
        let _ = writeln!(o, "      time_unix_nano: {}", profile.time_unix_nano);
        let _ = writeln!(o, "      duration_nano: {}", profile.duration_nano);
        let _ = writeln!(o, "      period_type: {period_type}");
        let _ = writeln!(o, "      period: {}", profile.period);
        let _ = writeln!(o, "      profile_id: {}", render_id(&profile.profile_id));
        let _ = writeln!(
            o,
            "      dropped_attributes_count: {}",
            profile.dropped_attributes_count
        );
        let _ = writeln!(
            o,
            "      original_payload: {}",
            render_payload(&profile.original_payload_format, &profile.original_payload)
        );
        self.indexed_attrs(&profile.attribute_indices, "      ", true);
        let _ = writeln!(self.out, "      samples: {}", profile.samples.len());
        for (i, sample) in profile.samples.iter().enumerate() {
            let _ = write!(self.out, "      sample[{i}]: values ");
            write_values(&sample.values, &mut self.out);
            self.out.push('\n');
            if !sample.timestamps_unix_nano.is_empty() {
                self.out.push_str("        timestamps ");
                write_values(&sample.timestamps_unix_nano, &mut self.out);
                self.out.push('\n');
            }
            if sample.link_index != 0 {
                let link = render_link(self.dict, sample.link_index);
                if link != "none" {
                    let _ = writeln!(self.out, "        link {link}");
                }
            }
            self.indexed_attrs(&sample.attribute_indices, "        ", false);
            self.stack(sample.stack_index);
        }
    }

    fn stack(&mut self, stack_index: i32) {
        let Some(stack) = usize::try_from(stack_index)
            .ok()
            .and_then(|s| self.dict.stack_table.get(s))
        else {
            let _ = writeln!(self.out, "        <stack index {stack_index} out of range>");
            return;
        };
        for (k, &l) in stack.location_indices.iter().enumerate() {
            match usize::try_from(l)
                .ok()
                .filter(|&l| l < self.dict.location_table.len())
            {
                Some(l) => {
                    if self.frames[l].is_none() {
                        self.frames[l] = Some(self.frame_bodies(l));
                    }
                    let bodies = self.frames[l].as_deref().unwrap_or_default();
                    self.writer.write(k, bodies, "        ", &mut self.out);
                }
                None => {
                    let _ = writeln!(self.out, "        #{k} <location index {l} out of range>");
                }
            }
        }
    }

    /// A location's mapping in a frame: its file name.
    fn mapping_file(&self, m: i32) -> String {
        if m == 0 {
            return "<no mapping>".to_owned();
        }
        match usize::try_from(m)
            .ok()
            .and_then(|m| self.dict.mapping_table.get(m))
        {
            Some(mapping) => self.s(mapping.filename_strindex),
            None => format!("<mapping index {m} out of range>"),
        }
    }

    /// A line's function: `"name" "file"` in frames, `function[i] "name"` in the table.
    fn function(&self, f: i32, in_table: bool) -> String {
        if f == 0 {
            return "<no function>".to_owned();
        }
        match usize::try_from(f)
            .ok()
            .and_then(|f| self.dict.function_table.get(f))
        {
            Some(function) if in_table => {
                format!("function[{f}] {}", self.s(function.name_strindex))
            }
            Some(function) => format!(
                "{} {}",
                self.s(function.name_strindex),
                self.s(function.filename_strindex)
            ),
            None => format!("<function index {f} out of range>"),
        }
    }

    fn frame_bodies(&self, l: usize) -> Vec<String> {
        let location = &self.dict.location_table[l];
        let head = format!(
            "location[{l}] {} {}",
            self.mapping_file(location.mapping_index),
            hex(location.address)
        );
        if location.lines.is_empty() {
            return vec![head];
        }
        location
            .lines
            .iter()
            .map(|line| {
                format!(
                    "{head} {}:{}:{}",
                    self.function(line.function_index, false),
                    line.line,
                    line.column
                )
            })
            .collect()
    }

    fn tables(&mut self) {
        let dict = self.dict;
        self.out.push_str("mappings:\n");
        for (m, mapping) in dict.mapping_table.iter().enumerate() {
            if m == 0 && *mapping == Default::default() {
                continue;
            }
            let _ = write!(
                self.out,
                "mapping[{m}]: memory_start {} memory_limit {} file_offset {} filename {}",
                hex(mapping.memory_start),
                hex(mapping.memory_limit),
                hex(mapping.file_offset),
                self.s(mapping.filename_strindex)
            );
            end_entry(self.reached.mappings[m], &mut self.out);
            self.indexed_attrs(&mapping.attribute_indices, "  ", false);
        }
        self.out.push_str("functions:\n");
        for (f, function) in dict.function_table.iter().enumerate() {
            if f == 0 && *function == Default::default() {
                continue;
            }
            let _ = write!(
                self.out,
                "function[{f}]: name {} system_name {} filename {} start_line {}",
                self.s(function.name_strindex),
                self.s(function.system_name_strindex),
                self.s(function.filename_strindex),
                function.start_line
            );
            end_entry(self.reached.functions[f], &mut self.out);
        }
        self.out.push_str("locations:\n");
        for (l, location) in dict.location_table.iter().enumerate() {
            if l == 0 && *location == Default::default() {
                continue;
            }
            let mapping = match location.mapping_index {
                m if m != 0
                    && usize::try_from(m).is_ok_and(|m| m < self.dict.mapping_table.len()) =>
                {
                    format!("mapping[{m}] {}", self.mapping_file(m))
                }
                m => self.mapping_file(m),
            };
            let _ = write!(
                self.out,
                "location[{l}]: address {} {mapping}",
                hex(location.address)
            );
            end_entry(self.reached.locations[l], &mut self.out);
            self.indexed_attrs(&location.attribute_indices, "  ", false);
            for (n, line) in location.lines.iter().enumerate() {
                let function = self.function(line.function_index, true);
                let _ = writeln!(
                    self.out,
                    "  line[{n}]: {function} line {} column {}",
                    line.line, line.column
                );
            }
        }
    }
}
