"""The one declaration of akhbar's warehouse: every table, column, type, key and description.

DDL, ``COMMENT ON`` statements, the data dictionary (``akhbar schema``, ``docs/schema.md``) and the
Parquet mirror are all generated from ``TABLES`` and ``VIEWS``; ``tests/test_schema_docs.py`` fails
when a description is missing or ``docs/schema.md`` is stale.  Names are ASCII snake_case (``<entity>_id`` keys,
``*_at`` UTC timestamps, ``is_*`` booleans); Arabic appears only in values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = 4


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    layer: str  # "staged" | "mart" | "ops"
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    # False: the key is documented (and unique: tests/test_warehouse.py) but not declared to DuckDB.
    # A PRIMARY KEY is an in-memory ART index that every insert checks and every checkpoint rewrites;
    # on the big per-document child tables it only grows with the warehouse, and load_batch already
    # replaces a document's rows as a whole in one transaction.
    enforce_key: bool = True
    # Column holding the owning document: rows are replaced per document on re-ingest.
    doc_key: str | None = "doc_id"
    # Hive partitioning of the Parquet mirror (derived from the document's published_at).
    partition_by_published: bool = False
    export: bool = True

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class View:
    name: str
    description: str
    sql: str
    columns: tuple[Column, ...] = field(default_factory=tuple)


def C(name: str, type_: str, description: str, nullable: bool = True) -> Column:
    return Column(name, type_, description, nullable)


_DOC_ID = C("doc_id", "VARCHAR", "Document key: the `doc_id` of `documents`.", False)

TABLES: tuple[Table, ...] = (
    Table(
        "sources", "mart",
        "One row per news source (site, agency or input file family) seen in the inputs.",
        (
            C("source_id", "VARCHAR", "Stable key: hash of the normalized source name.", False),
            C("name", "VARCHAR", "Source name as found in the input (e.g. `bbc`, `euronews.com`, or the input folder).", False),
            C("n_documents", "BIGINT", "Number of documents in `documents` from this source.", False),
            C("first_published_at", "TIMESTAMP", "Earliest `published_at` (UTC) among its documents."),
            C("last_published_at", "TIMESTAMP", "Latest `published_at` (UTC) among its documents."),
        ),
        primary_key=("source_id",), doc_key=None,
    ),
    Table(
        "documents", "mart",
        "One row per ingested article: every text layer (raw, clean, matching key) and its metadata.",
        (
            C("doc_id", "VARCHAR", "Stable key derived from `source_uri` and `content_sha256` (16 hex digits).", False),
            C("source_uri", "VARCHAR", "Input path or URL as given (e.g. `seeds/000_2b676b022e1b6d99.txt`); `#n` marks the n-th record of a multi-record file.", False),
            C("source_id", "VARCHAR", "Key of the row in `sources`.", False),
            C("content_sha256", "VARCHAR", "SHA-256 of the decoded raw text (the identity of the content).", False),
            C("raw_text", "VARCHAR", "Decoded input text, untouched.", False),
            C("clean_text", "VARCHAR", "Body text with boilerplate removed and Unicode normalized; original spelling kept."),
            C("text_key", "VARCHAR", "Matching key of `clean_text`: dediacritized, alef/hamza, ى/ي and ة/ه folded."),
            C("title", "VARCHAR", "Article headline, from the input's metadata or its first line."),
            C("published_at", "TIMESTAMP", "Publication time (UTC) from metadata or an explicit date in the text."),
            C("published_year", "INTEGER", "Year of `published_at` (Parquet partition key)."),
            C("published_month", "INTEGER", "Month of `published_at` (Parquet partition key)."),
            C("byline", "VARCHAR", "Author or byline (e.g. `يورونيوز`)."),
            C("agency", "VARCHAR", "Credited news agency or source line (e.g. `رويترز`, `وكالات`)."),
            C("url", "VARCHAR", "Canonical URL of the article, when the input has one."),
            C("language", "VARCHAR", "Detected language code of `clean_text` (`ar` for Arabic)."),
            C("is_arabic", "BOOLEAN", "True when most letters of `clean_text` are Arabic."),
            C("n_chars", "BIGINT", "Length of `clean_text` in characters."),
            C("ingested_at", "TIMESTAMP", "When this version of the document was loaded (UTC).", False),
            C("run_id", "VARCHAR", "Key of the `runs` row that loaded this version.", False),
            C("topic", "VARCHAR", "Topic of the article from the shipped classifier over the words of `title` and `clean_text`: `politics`, `economy`, `sport`, `technology` (technology and science, health), `culture` or `society` (crime, accidents, local affairs); see docs/tone-topics.md."),
            C("topic_score", "DOUBLE", "Classifier probability of `topic` in [0, 1]."),
            C("tone", "DOUBLE", "GDELT-style tone of `clean_text`: `positive_score` − `negative_score` (−100..100; news mostly −10..10)."),
            C("positive_score", "DOUBLE", "Percentage of the words of `clean_text` that are positive in the tone word lists (negation flips a word; names are masked)."),
            C("negative_score", "DOUBLE", "Percentage of the words of `clean_text` that are negative in the tone word lists."),
            C("polarity", "DOUBLE", "`positive_score` + `negative_score`: how charged the text is, whatever the sign."),
            C("word_count", "INTEGER", "Words of `clean_text` (runs of letters, marks and digits), the denominator of the tone scores."),
        ),
        primary_key=("doc_id",), partition_by_published=True,
    ),
    Table(
        "sentences", "mart",
        "Paragraphs and sentences of `clean_text`, with character offsets.",
        (
            C("sentence_id", "VARCHAR", "Stable key: hash of `doc_id` and `start_char`.", False),
            _DOC_ID,
            C("paragraph_no", "INTEGER", "0-based paragraph number within the document.", False),
            C("sentence_no", "INTEGER", "0-based sentence number within the document.", False),
            C("start_char", "INTEGER", "Offset of the first character in `documents.clean_text`.", False),
            C("end_char", "INTEGER", "Offset one past the last character (`clean_text[start_char:end_char]` is `text`).", False),
            C("text", "VARCHAR", "Sentence text.", False),
        ),
        primary_key=("sentence_id",), enforce_key=False,
    ),
    Table(
        "removed_lines", "mart",
        "Audit trail of cleaning: every line removed from `raw_text` and why.",
        (
            _DOC_ID,
            C("line_no", "INTEGER", "0-based line number in `raw_text`.", False),
            C("text", "VARCHAR", "The removed line as it was in `raw_text`.", False),
            C("reason", "VARCHAR", "Why it was removed: `lexicon:<rule>`, `duplicate_line`, `related_section`, `source_template`, `empty`…", False),
        ),
        primary_key=("doc_id", "line_no"), enforce_key=False,
    ),
    Table(
        "mentions", "mart",
        "Named-entity mentions found in sentences, with offsets into `documents.clean_text`.",
        (
            C("mention_id", "VARCHAR", "Stable key: hash of `doc_id`, `start_char`, `end_char` and `label`.", False),
            _DOC_ID,
            C("sentence_id", "VARCHAR", "Key of the sentence holding the mention.", False),
            C("start_char", "INTEGER", "Offset of the mention's first character in `clean_text`.", False),
            C("end_char", "INTEGER", "Offset one past its last character.", False),
            C("surface", "VARCHAR", "Mention text as written (e.g. `وانغ يي`).", False),
            C("label", "VARCHAR", "Entity type: `PERS`, `LOC`, `ORG` or `MISC`.", False),
            C("score", "DOUBLE", "Probability in [0, 1] of the mention's least sure tag under the tagger's CRF (mentions under 0.4 are not kept; 0.9 for a name found by rule)."),
            C("method", "VARCHAR", "What produced it: `neural` (the default BiLSTM), `large` (the slower BiLSTM, `--ner large`), `crf`, `camel`, `consistency` (the document-level pass tagged a recurrence of a name found elsewhere in the article) or `rule` (a named political party such as `الحزب الشيوعي الصيني`, or a place name the tagger had split, `سان بطرسبرج`)", False),
            C("entity_id", "VARCHAR", "Key of the resolved entity in `entities` (after cross-document merges)."),
            C("entity_id_local", "VARCHAR", "Entity as resolved within the document, before cross-document merges."),
            C("tone", "DOUBLE", "GDELT-style tone of the mention's sentence with every name of the document masked, the mention's own included (see `documents.tone`)."),
        ),
        primary_key=("mention_id",), enforce_key=False,
    ),
    Table(
        "entities", "mart",
        "One row per real-world entity, resolved across spellings and documents.",
        (
            C("entity_id", "VARCHAR", "Stable key derived from `label` and `key` (never a sequence).", False),
            C("canonical_name", "VARCHAR", "Most frequent spelling across the warehouse, for a person of the full name (e.g. `سيرغي لافروف`), without the proclitics the corpus evidence reads off (`لحزب الله` → `حزب الله`, while `بايدن` stays whole) and without titles (`الرئيس`).", False),
            C("label", "VARCHAR", "Entity type: `PERS`, `LOC`, `ORG` or `MISC`.", False),
            C("key", "VARCHAR", "Matching key: the phonetic key folding spelling/transliteration variants, or a link (`iso3166:RU`, `geonames:524901`), or `<key>@<doc_id>` for a one-word person name linked to no full name.", False),
            C("country_code", "VARCHAR", "ISO 3166-1 alpha-2 code of a country, or of a city's country."),
            C("geonames_id", "BIGINT", "GeoNames id of a linked city."),
            C("lat", "DOUBLE", "Latitude of a linked place."),
            C("lon", "DOUBLE", "Longitude of a linked place."),
            C("n_mentions", "BIGINT", "Number of mentions of the entity.", False),
            C("n_documents", "BIGINT", "Number of documents mentioning it.", False),
        ),
        primary_key=("entity_id",), doc_key=None,
    ),
    Table(
        "entity_aliases", "mart",
        "Every spelling seen for an entity, with its count.",
        (
            C("entity_id", "VARCHAR", "Key of the entity in `entities`.", False),
            C("alias", "VARCHAR", "A surface form (e.g. `وانج يي`).", False),
            C("n", "BIGINT", "Number of mentions with this surface form.", False),
        ),
        primary_key=("entity_id", "alias"), doc_key=None,
    ),
    Table(
        "entity_redirects", "mart",
        "Ids that no longer name an entity of their own and the entity they belong to now: every id a spelling could have been listed under (another clitic reading, label, place or an earlier run's merge), so a saved id still resolves.",
        (
            C("entity_id_old", "VARCHAR", "An id that is not (or no longer) a row of `entities`.", False),
            C("entity_id", "VARCHAR", "Key of the entity in `entities` that holds its mentions now.", False),
        ),
        primary_key=("entity_id_old",), doc_key=None,
    ),
    Table(
        "quotes", "mart",
        "Quotations (speech or writing in quotation marks attributed by a verb of saying, a colon after a speaker, or continuing one) with their speaker and the word that attributes them; quoted names and terms are left out (see docs/quotes.md).",
        (
            C("quote_id", "VARCHAR", "Stable key: hash of `doc_id` and `start_char`.", False),
            _DOC_ID,
            C("speaker_entity_id", "VARCHAR", "Entity that said it: a person, organization, outlet or place (key in `entities`, after cross-document merges); null for a description or an unknown speaker."),
            C("speaker_entity_id_local", "VARCHAR", "Speaker entity as resolved within the document, before cross-document merges."),
            C("speaker_text", "VARCHAR", "Speaker as the article names it: a name (`لافروف`), a description (`مصدر أمني`) or the reference resolved to `speaker_entity_id` (`الوزير`, or the earlier speaker of `وأضاف`); null when unknown."),
            C("verb", "VARCHAR", "Word that attributes the quote (e.g. `قال`, `وأضافت`, `قائلا`, `بحسب`); null after a colon (`ترامب: «…»`) and for a quote that continues the previous one."),
            C("text", "VARCHAR", "The quoted text, without the quotation marks.", False),
            C("start_char", "INTEGER", "Offset of the quote's first character in `clean_text`.", False),
            C("end_char", "INTEGER", "Offset one past its last character.", False),
        ),
        primary_key=("quote_id",), enforce_key=False,
    ),
    Table(
        "time_expressions", "mart",
        "Explicit and relative dates in the text, resolved against `published_at` when known.",
        (
            C("time_expression_id", "VARCHAR", "Stable key: hash of `doc_id` and `start_char`.", False),
            _DOC_ID,
            C("surface", "VARCHAR", "Expression as written (e.g. `اليوم الثلاثاء`).", False),
            C("value", "VARCHAR", "Resolved ISO value (`2024-04-30`, `2024-05`), null when unresolved."),
            C("start_char", "INTEGER", "Offset of the first character in `clean_text`.", False),
            C("end_char", "INTEGER", "Offset one past the last character.", False),
        ),
        primary_key=("time_expression_id",), enforce_key=False,
    ),
    Table(
        "stories", "mart",
        "One row per document: the story it belongs to, i.e. the articles that report the same specific event (one strike, meeting, statement, match) within four days; a story of one row is an article no other reports (see docs/stories.md).",
        (
            C("story_id", "VARCHAR", "Stable key: hash of the `doc_id` of the story's first document (in order of `published_at`, then `doc_id`).", False),
            _DOC_ID,
            C("published_at", "TIMESTAMP", "The document's `published_at` when it was placed (UTC); null when unknown. A refresh redoes the stories from the earliest changed document on."),
            C("similarity", "DOUBLE", "Average similarity of the document to the members the story had when it joined (sketch words of title and lead, 0..1); 1 for the first document.", False),
        ),
        primary_key=("doc_id",), doc_key=None,
    ),
    Table(
        "duplicates", "mart",
        "Documents that republish an earlier document's text (wire copy, a breaking item and its update with the same body): one row per copy, pointing at the first text.",
        (
            _DOC_ID,
            C("original_doc_id", "VARCHAR", "The earliest document with this text (by `published_at`, undated last, then `doc_id`); never itself a duplicate.", False),
            C("containment", "DOUBLE", "Estimated share of the shorter text's word 3-grams found in the other (MinHash of `doc_sketches`), 0.8..1.", False),
        ),
        primary_key=("doc_id",), doc_key=None,
    ),
    Table(
        "staged_records", "staged",
        "One row per input record as parsed, before cleaning: the metadata exactly as the input gave it.",
        (
            _DOC_ID,
            C("source_uri", "VARCHAR", "Input path or URL as given (`#n` for the n-th record of a file).", False),
            C("source_name", "VARCHAR", "Source as named by the input (field `source`/`site`, or the input's folder)."),
            C("title_raw", "VARCHAR", "Title field as found in the input (null for plain text)."),
            C("published_raw", "VARCHAR", "Date field as found in the input, unparsed."),
            C("author_raw", "VARCHAR", "Author/byline field as found in the input."),
            C("url", "VARCHAR", "URL field as found in the input."),
        ),
        primary_key=("doc_id",), export=False, enforce_key=False,
    ),
    Table(
        "entity_candidates", "staged",
        "Every entity as resolved within documents (before cross-document merges), with its links.",
        (
            C("entity_id", "VARCHAR", "Stable key derived from `label` and `key`.", False),
            C("label", "VARCHAR", "Entity type: `PERS`, `LOC`, `ORG` or `MISC`.", False),
            C("key", "VARCHAR", "Matching key (see `entities.key`).", False),
            C("canonical_name", "VARCHAR", "Name proposed by in-document resolution (e.g. the full name)."),
            C("country_code", "VARCHAR", "ISO 3166-1 alpha-2 code of a linked country or city."),
            C("geonames_id", "BIGINT", "GeoNames id of a linked city."),
            C("lat", "DOUBLE", "Latitude of a linked place."),
            C("lon", "DOUBLE", "Longitude of a linked place."),
        ),
        primary_key=("entity_id",), doc_key=None, export=False,
    ),
    Table(
        "doc_sketches", "staged",
        "What same-story clustering keeps of each document (one row): a MinHash of its word 3-grams and the heaviest words of its title and lead.",
        (
            _DOC_ID,
            C("minhash", "UINTEGER[]", "One-permutation MinHash of the word 3-grams of `text_key`: the smallest hash per bucket (32 buckets; 4294967295 marks an empty one).", False),
            C("n_shingles", "INTEGER", "Number of distinct word 3-grams of `text_key`.", False),
            C("terms", "VARCHAR[]", "The 32 words of the title (counted twice) and the first 600 characters of `text_key` with the highest tf-idf, the article and a proclitic before it dropped (`والرئيس` → `رئيس`).", False),
            C("weights", "FLOAT[]", "Their tf-idf weights, L2-normalized (the dot product of two documents' weights over shared `terms` is their story similarity).", False),
            C("event_day", "DATE", "Day named by the first weekday in the first 300 characters of `clean_text` (`أعلنت … الثلاثاء` → that Tuesday: within the five days before the local day of publication, UTC+3, or the day after); null when none."),
        ),
        export=False,
    ),
    Table(
        "source_templates", "staged",
        "Template lines learned per source: a line repeated across many documents of one source is site furniture.",
        (
            C("source_name", "VARCHAR", "Source the line was learned from (as in `sources.name`).", False),
            C("line_key", "VARCHAR", "Normalized form of the repeated line.", False),
            C("n_docs", "BIGINT", "Number of documents of the source that contained it when learned.", False),
        ),
        primary_key=("source_name", "line_key"), doc_key=None, export=False,
    ),
    Table(
        "rejects", "ops",
        "Inputs that could not become documents, with a reason a person understands.",
        (
            C("reject_id", "VARCHAR", "Stable key: hash of `source_uri` and `reason`.", False),
            C("source_uri", "VARCHAR", "Input path or URL as given.", False),
            C("reason", "VARCHAR", "Short reason code (e.g. `binary`, `undecodable`, `empty`, `no_text_field`).", False),
            C("detail", "VARCHAR", "Human-readable explanation."),
            C("bytes", "BIGINT", "Size of the input in bytes."),
            C("first_seen_at", "TIMESTAMP", "When this input was first rejected (UTC).", False),
            C("run_id", "VARCHAR", "Key of the run that last saw it.", False),
        ),
        primary_key=("reject_id",), doc_key=None,
    ),
    Table(
        "fetch_log", "ops",
        "Every HTTP fetch of a feed or article page: outcome, status and conditional-GET validators.",
        (
            C("fetch_id", "VARCHAR", "Stable key: hash of `url` and `run_id`.", False),
            C("url", "VARCHAR", "URL requested (http/https only).", False),
            C("feed_url", "VARCHAR", "Feed the article URL came from; null for the feed itself."),
            C("outcome", "VARCHAR", "`ok`, `not_modified`, `http_error`, `timeout`, `too_large`, `too_many_redirects`, `bad_scheme`, `network_error`, `skipped_known`.", False),
            C("http_status", "INTEGER", "Final HTTP status code, when a response arrived."),
            C("detail", "VARCHAR", "Human-readable explanation of the outcome."),
            C("bytes", "BIGINT", "Size of the response body in bytes."),
            C("etag", "VARCHAR", "ETag returned by the server (sent back as If-None-Match next time)."),
            C("last_modified", "VARCHAR", "Last-Modified returned by the server (sent back as If-Modified-Since)."),
            C("n_attempts", "INTEGER", "Attempts made (retries with backoff included).", False),
            C("fetched_at", "TIMESTAMP", "When the fetch finished (UTC).", False),
            C("run_id", "VARCHAR", "Key of the run that fetched it.", False),
        ),
        primary_key=("fetch_id",), doc_key=None,
    ),
    Table(
        "runs", "ops",
        "One row per `akhbar run`: when, what happened, and counts.",
        (
            C("run_id", "VARCHAR", "Key of the run (time-ordered: `YYYYMMDDTHHMMSS-<hash>`).", False),
            C("started_at", "TIMESTAMP", "Start time (UTC).", False),
            C("finished_at", "TIMESTAMP", "End time (UTC); null while running or if it died."),
            C("status", "VARCHAR", "`running`, `completed` or `failed`.", False),
            C("n_seen", "BIGINT", "Documents seen in the inputs."),
            C("n_new", "BIGINT", "Documents new or changed, loaded by this run."),
            C("n_unchanged", "BIGINT", "Documents already in the warehouse unchanged (skipped before any transform)."),
            C("n_rejected", "BIGINT", "Inputs rejected by this run."),
        ),
        primary_key=("run_id",), doc_key=None, export=True,
    ),
    Table(
        "schema_version", "ops",
        "Applied schema migrations.",
        (
            C("version", "INTEGER", "Schema version number.", False),
            C("applied_at", "TIMESTAMP", "When it was applied (UTC).", False),
        ),
        primary_key=("version",), doc_key=None, export=False,
    ),
)

BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}

VIEWS: tuple[View, ...] = (
    View(
        "v_entity_daily",
        "Mentions per entity per publication day and source (for time series in BI tools).",
        """
        SELECT m.entity_id, e.canonical_name, e.label, CAST(d.published_at AS DATE) AS day,
               s.name AS source, COUNT(*) AS n_mentions, COUNT(DISTINCT m.doc_id) AS n_documents
        FROM mentions m JOIN documents d USING (doc_id)
        JOIN entities e USING (entity_id) LEFT JOIN sources s ON s.source_id = d.source_id
        GROUP BY ALL
        """,
    ),
    View(
        "v_entity_tone",
        "Tone of each entity's coverage per publication day: mean `mentions.tone` of its mentions (sentence with names masked), mentions in a positive and a negative sentence, and the mean `documents.tone` over the same mentions.",
        """
        SELECT m.entity_id, e.canonical_name, e.label, CAST(d.published_at AS DATE) AS day,
               COUNT(*) AS n_mentions, COUNT(DISTINCT m.doc_id) AS n_documents,
               AVG(m.tone) AS tone, COUNT(*) FILTER (WHERE m.tone > 0) AS n_positive,
               COUNT(*) FILTER (WHERE m.tone < 0) AS n_negative,
               AVG(d.tone) AS document_tone
        FROM mentions m JOIN documents d USING (doc_id) JOIN entities e USING (entity_id)
        WHERE m.tone IS NOT NULL
        GROUP BY ALL
        """,
    ),
    View(
        "v_cooccurrence",
        "Pairs of entities mentioned in the same document (entity_id_a < entity_id_b), one row per pair and document.",
        """
        SELECT a.entity_id AS entity_id_a, ea.canonical_name AS name_a, ea.label AS label_a,
               b.entity_id AS entity_id_b, eb.canonical_name AS name_b, eb.label AS label_b, a.doc_id
        FROM (SELECT DISTINCT doc_id, entity_id FROM mentions WHERE entity_id IS NOT NULL) a
        JOIN (SELECT DISTINCT doc_id, entity_id FROM mentions WHERE entity_id IS NOT NULL) b
          ON a.doc_id = b.doc_id AND a.entity_id < b.entity_id
        JOIN entities ea ON ea.entity_id = a.entity_id JOIN entities eb ON eb.entity_id = b.entity_id
        """,
    ),
    View(
        "v_quotes",
        "Quotes with the speaker (the entity's canonical name, else the speaker as written), the speaker's entity and label, publication date, source and URL.",
        """
        SELECT q.quote_id, q.doc_id, COALESCE(e.canonical_name, q.speaker_text) AS speaker, q.speaker_text,
               q.speaker_entity_id, e.label AS speaker_label,
               q.verb, q.text, d.published_at, s.name AS source, d.url, d.source_uri, d.title
        FROM quotes q JOIN documents d USING (doc_id)
        LEFT JOIN entities e ON e.entity_id = q.speaker_entity_id
        LEFT JOIN sources s ON s.source_id = d.source_id
        """,
    ),
    View(
        "v_places",
        "Geocoded places with coordinates and mention counts (for maps).",
        """
        SELECT entity_id, canonical_name, country_code, geonames_id, lat, lon, n_mentions, n_documents
        FROM entities WHERE label = 'LOC' AND lat IS NOT NULL AND lon IS NOT NULL
        """,
    ),
)
