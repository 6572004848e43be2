/* The explorable paper (issue #22): the reader picks the analytic choices and every number, verdict,
 * rule-chosen word and dependent figure of the page follows, from the results the build exported
 * (_static/explore/explore.json and one part-<part>.json per engine part; the layout is defined in the
 * docstring of bookkit/explore.py).
 *
 * - Format: IpofFormat mirrors bookkit/fmt.py function by function (apply(spec, value, values) is
 *   bookkit.fmt.apply); tests/test_explore_page.py checks both agree on every key of every analysis.
 * - Choice: one level per analysis.options.CHOICES entry; kept in sessionStorage and in the address
 *   (?name=level, levels written as level_text writes them), the paper's levels omitted.
 * - Without this script (or without the exported files) the page is the paper's analysis as built.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------------------------------------
  // Formatting: bookkit/fmt.py in JavaScript (same names, same order, same rules)

  const MINUS = "\u2212";
  const SUPPRESSED = "\u2020";

  /** A value disclosure control withheld in the exported files: {"withheld": "<reason>"}. */
  function isWithheld(x) {
    return x !== null && typeof x === "object" && !Array.isArray(x) && Object.prototype.hasOwnProperty.call(x, "withheld");
  }

  /** None or NaN (JSON null; a withheld marker is not missing): fmt.is_missing / fmt._missing. */
  function isMissing(x) {
    return x === null || x === undefined || (typeof x === "number" && Number.isNaN(x));
  }

  /** Python's f"{x:.{d}f}": the exact binary value rounded half-even to d decimals (Number.toFixed
   * rounds exact ties up, Python to even: 0.125 -> "0.12"), sign kept on negative values and -0. */
  function pyFixed(x, d) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    const negative = x < 0 || Object.is(x, -0);
    const exact = Math.abs(x).toFixed(100); // the double's decimal expansion (exact for |x| >= 2^-47)
    const dot = exact.indexOf(".");
    const whole = exact.slice(0, dot);
    const frac = exact.slice(dot + 1);
    const kept = frac.slice(0, d);
    const rest = frac.slice(d);
    let digits = whole + kept;
    let up;
    if (rest[0] > "5") up = true;
    else if (rest[0] < "5") up = false;
    else if (/[1-9]/.test(rest.slice(1))) up = true;
    else up = Number(digits[digits.length - 1]) % 2 === 1; // an exact tie: to even
    if (up) {
      const chars = digits.split("");
      let i = chars.length - 1;
      while (i >= 0 && chars[i] === "9") chars[i--] = "0";
      if (i < 0) chars.unshift("1");
      else chars[i] = String(Number(chars[i]) + 1);
      digits = chars.join("");
    }
    const intPart = digits.slice(0, digits.length - d) || "0";
    const text = d > 0 ? intPart + "." + digits.slice(digits.length - d) : intPart;
    return (negative ? "-" : "") + text;
  }

  /** Python's round(x, d) of a float: the correctly rounded decimal read back as a number. */
  function pyRound(x, d) {
    return Number(pyFixed(x, d));
  }

  /** Python's repr of a float (shortest round-trip digits; exponent form below 1e-4 and from 1e16). */
  function pyRepr(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const [mantissa, exp] = x.toExponential().split("e");
    const e = Number(exp);
    if (e < -4 || e >= 16) {
      const m = mantissa.includes(".") ? mantissa : mantissa;
      return `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    }
    const text = String(x);
    return Number.isInteger(x) ? text + ".0" : text;
  }

  /** Python's str() of a JSON value: JSON loses int vs float, so an integral number prints as an int. */
  function pyStr(v) {
    if (v === null || v === undefined) return "None";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyRepr(v);
    if (Array.isArray(v)) return "[" + v.map(pyStr).join(", ") + "]";
    return String(v);
  }

  /** Python's f"{x:g}" (6 significant digits, trailing zeros dropped, exponent below 1e-4 and from 1e6). */
  function pyG(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    const [mantissa, exp] = x.toExponential(5).split("e");
    const e = Number(exp);
    const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
    if (e < -4 || e >= 6) return `${strip(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    return strip(pyFixed(x, 5 - e));
  }

  /** fmt._no_negative_zero: '-0.00' -> '0.00' (a value that rounds to zero has no sign). */
  function noNegativeZero(text) {
    return text.startsWith("-") && !/[1-9]/.test(text) ? text.slice(1) : text;
  }

  /** fmt.fmt_num: fixed decimals and a true minus sign; 'n/a' for a missing value. */
  function fmtNum(x, decimals) {
    if (isMissing(x)) return "n/a";
    return noNegativeZero(pyFixed(Number(x), decimals)).replace(/-/g, MINUS);
  }

  /** fmt.fmt_p: '<.001', '>.999', else three decimals without the leading zero. */
  function fmtP(p) {
    if (isMissing(p)) return "n/a";
    p = Number(p);
    if (!(p >= 0 && p <= 1)) throw new Error(`not a P value: ${p}`);
    if (p < 0.001) return "<.001";
    const text = pyFixed(p, 3);
    return text === "1.000" ? ">.999" : text.replace(/^0+/, "");
  }

  /** fmt.fmt_p_sided: fmt_p with decimals added (up to maxDecimals) while the printed P equals alpha or
   * lies on the other side of it. */
  function fmtPSided(p, alpha = 0.05, maxDecimals = 6) {
    let text = fmtP(p);
    if (text === "n/a" || text === "<.001" || text === ">.999" || Number(p) === alpha) return text;
    const below = Number(p) < alpha;
    let decimals = 3;
    while (decimals < maxDecimals && (Number(text) === alpha || (Number(text) < alpha) !== below)) {
      decimals += 1;
      text = pyFixed(Number(p), decimals).replace(/^0+/, "");
    }
    return text;
  }

  /** fmt.fmt_num_sided: fmt_num with decimals added while a value != null rounds to null. */
  function fmtNumSided(x, decimals, nul = 0.0, maxDecimals = 6) {
    if (isMissing(x)) return "n/a";
    x = Number(x);
    let shown = decimals;
    while (shown < maxDecimals && x !== nul && pyRound(x, shown) === nul) shown += 1;
    return fmtNum(x, shown);
  }

  /** fmt.fmt_bounded: a statistic bounded by 1 without the leading zero ('.414', '−.071'). */
  function fmtBounded(x, decimals = 3) {
    if (isMissing(x)) return "n/a";
    x = Number(x);
    if (Math.abs(x) > 1 + 1e-9) throw new Error(`${x} is not bounded by 1; use fmt_num`);
    let text = noNegativeZero(pyFixed(x, decimals));
    text = text.replace(/^(-?)0\./, "$1.");
    return text.replace(/-/g, MINUS);
  }

  /** fmt.fmt_int: an integer with a thousands separator; a fractional value is an error. */
  function fmtInt(n) {
    if (isMissing(n)) return "n/a";
    if (typeof n === "boolean") throw new TypeError("a boolean is not a count; use fmt_bool");
    n = Number(n);
    if (!Number.isInteger(n)) throw new Error(`${n} is not a whole number`);
    const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (n < 0 ? MINUS : "") + digits;
  }

  /** disclosure.small: a count that must not be shown, 1 to minCell - 1. */
  function small(n, minCell) {
    return n !== null && n !== undefined && typeof n === "number" && !Number.isNaN(n) && n > 0 && n < minCell;
  }

  /** fmt._p_relation: '=.009', '<.001' or, near alpha, '=.0499'. */
  function pRelation(p, alpha) {
    const text = fmtPSided(p, alpha);
    return text[0] === "<" || text[0] === ">" || text === "n/a" ? text : "=" + text;
  }

  /** fmt.apply: the text a page shows for `value` under the format spec `rule` (explore.json "format").
   * `values` holds the analysis's other values (a percentage reads its count); `ctx` the settings of
   * explore.json (alpha, min_cell). */
  function apply(rule, value, values, ctx) {
    values = values || {};
    const alpha = ctx && ctx.alpha !== undefined ? ctx.alpha : 0.05;
    const minCell = ctx && ctx.min_cell !== undefined ? ctx.min_cell : 8;
    const smallCount = `<${minCell}`;
    if (typeof value === "boolean") return value ? "Yes" : "No";
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.map(pyStr).join("; ") || "none";
    if (isWithheld(value)) return rule.as === "count" ? smallCount : SUPPRESSED;
    if (isMissing(value)) return "n/a";
    const kind = rule.as;
    if (kind === "count") return small(value, minCell) ? smallCount : fmtInt(value);
    if (kind === "percent") {
      const of = rule.of ? values[rule.of] : null;
      if (of !== null && of !== undefined && (isWithheld(of) || small(of, minCell))) return SUPPRESSED;
      return fmtNum(value, rule.d) + "%";
    }
    if (kind === "int") return fmtInt(value);
    if (kind === "p") return pRelation(value, alpha);
    if (kind === "df") return fmtNum(value, Number.isInteger(Number(value)) ? 0 : 1);
    if (kind === "r2") return fmtNum(100 * value, 1) + "%";
    if (kind === "option") return typeof value === "number" && !Number.isInteger(value) ? pyG(value) : pyStr(value);
    if (kind === "text") return pyStr(value);
    if (kind === "bounded") {
      let text = fmtBounded(value, rule.d);
      if (rule.sided && Number(value) !== 0 && text.replace(/^\u2212+/, "") === "." + "0".repeat(rule.d)) {
        text = fmtNumSided(value, rule.d).replace("0.", ".");
      }
      return text;
    }
    if (kind === "num") return rule.sided ? fmtNumSided(value, rule.d, rule.null) : fmtNum(value, rule.d);
    throw new Error(`unknown format spec ${JSON.stringify(rule)}`);
  }

  // ------------------------------------------------------------------------------------------------
  // Verdicts (analysis.conclusions.Conclusion.outcome / sentence, rules as data) and {words} rules

  /** conclusions._num: a number, or null for null, a boolean, NaN or a withheld value. */
  function num(values, key) {
    const v = values[key];
    return typeof v === "number" && !Number.isNaN(v) ? v : null;
  }

  /** A rule of explore.json "conclusions": true (holds), false, or null (a value it reads is missing). */
  function evalRule(rule, values, alpha) {
    if (rule.test === "signed") {
      const x = num(values, rule.key);
      const p = num(values, rule.p);
      return x === null || p === null ? null : x * rule.sign > 0 && p < alpha;
    }
    if (rule.test === "not_significant") {
      const p = num(values, rule.p);
      return p === null ? null : !(p < alpha);
    }
    throw new Error(`unknown rule ${JSON.stringify(rule)}`);
  }

  /** Conclusion.outcome: "holds", "fails", "opposite", refined by the equivalence judgement where the
   * conclusion has that refinement ("refinements" of bookkit.verdicts.export, else a refinement it has
   * words for); null when the rule cannot decide. The rule is "test" (verdicts.export) or "rule". */
  function outcome(conclusion, values, alpha) {
    const verdict = evalRule(conclusion.test || conclusion.rule, values, alpha);
    if (verdict === null) return null;
    let base = verdict ? "holds" : "fails";
    if (!verdict && conclusion.opposite && evalRule(conclusion.opposite, values, alpha)) base = "opposite";
    const refined = conclusion.judgement ? `${base}|${pyStr(values[conclusion.judgement])}` : "";
    const known = conclusion.refinements ? conclusion.refinements.includes(refined)
      : Object.prototype.hasOwnProperty.call(conclusion.says, refined);
    return refined && known ? refined : base;
  }

  /** Conclusion.sentence: the words a page prints for these values. */
  function sentence(conclusion, values, alpha) {
    const o = outcome(conclusion, values, alpha);
    return o === null ? conclusion.not_estimable : conclusion.says[o];
  }

  /** The keys a conclusion's rules read. */
  function ruleKeys(conclusion) {
    const keys = [];
    for (const rule of [conclusion.test || conclusion.rule, conclusion.opposite]) {
      if (rule) keys.push(...[rule.key, rule.p].filter(Boolean));
    }
    if (conclusion.judgement) keys.push(conclusion.judgement);
    return keys;
  }

  /** bookkit.words.share: the subject of a clause about a share of respondents, by the share bands
   * (explore.json "words".share, bookkit.words.SHARE_BANDS; the same bands built in when not exported). */
  function share(n, total, noun = "respondents", rules = null) {
    const bands = (rules && rules.share) || [[">", 0.5, "Most {noun}"], ["==", 0.5, "Half the {noun}"],
      [">=", 0.25, "A minority of {noun}"], [">", 0.0, "A small minority of {noun}"]];
    const compare = { ">": (a, b) => a > b, "==": (a, b) => a === b, ">=": (a, b) => a >= b };
    const ratio = total ? n / total : 0.0;
    for (const [op, bound, words] of bands) {
      if (compare[op](ratio, bound)) return words.replace("{noun}", noun);
    }
    return ((rules && rules.share_none) || "No {noun}").replace("{noun}", noun);
  }

  /** bookkit.words.half: a count against half its total. */
  function half(n, total) {
    if (!total) return "none";
    const ratio = n / total;
    return ratio < 0.5 ? "fewer than half" : ratio === 0.5 ? "half" : "more than half";
  }

  /** bookkit.interpret.cohen_size: the size of a standardised difference by Cohen's bands (explore.json
   * "words".cohen, a null bound being infinity; built in when not exported). */
  function cohenSize(x, rules = null) {
    const bands = (rules && rules.cohen) || [[0.2, "a negligible"], [0.5, "a small"], [0.8, "a medium"], [null, "a large"]];
    const found = bands.find(([bound]) => bound === null || Math.abs(x) < bound);
    return found[1];
  }

  /** The results keys a {words} spec reads (none for a convention). */
  function wordsKeys(spec) {
    const [kind, rest = ""] = splitOnce(spec, ":");
    const lower = kind.toLowerCase();
    if (lower === "cohen") return [rest];
    if (!["share", "half"].includes(lower)) return [];
    const ratio = splitOnce(rest, ":")[0];
    const [numKey, den = ""] = splitOnce(ratio, "/");
    return [numKey, ...den.split("+")];
  }

  function splitOnce(text, sep) {
    const i = text.indexOf(sep);
    return i < 0 ? [text] : [text.slice(0, i), text.slice(i + sep.length)];
  }

  /** bookkit.words.phrase for the specs that depend on values (share, half, cohen); null: leave the text
   * (a convention, or a value that is withheld or missing). */
  function phrase(spec, values, rules = null) {
    const [kind, rest = ""] = splitOnce(spec, ":");
    const lower = kind.toLowerCase();
    let text;
    if (lower === "cohen") {
      if (typeof values[rest] !== "number") return null;
      text = cohenSize(values[rest], rules);
    } else if (lower === "share" || lower === "half") {
      const [ratio, noun] = lower === "share" ? splitOnce(rest, ":") : [rest, undefined];
      const [numKey, den = ""] = splitOnce(ratio, "/");
      const numbers = [numKey, ...den.split("+")].map((k) => values[k]);
      if (numbers.some((v) => typeof v !== "number")) return null;
      const n = numbers[0];
      const total = numbers.slice(1).reduce((a, b) => a + b, 0);
      if (lower === "share") {
        text = share(n, total, noun || "respondents", rules);
        text = text.slice(0, 1).toLowerCase() + text.slice(1);
      } else {
        text = half(n, total);
      }
    } else {
      return null;
    }
    return kind[0] === kind[0].toUpperCase() && kind[0] !== kind[0].toLowerCase()
      ? text.slice(0, 1).toUpperCase() + text.slice(1) : text;
  }

  // ------------------------------------------------------------------------------------------------
  // Choices: levels, their text in the address, the reader's choice

  /** The interface's level_text: true/false, integral numbers without ".0", others shortest repr. */
  function levelText(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") return String(v);
    return String(v);
  }

  /** The level of `choice` whose text is `text` ("10" and "10.0" alike), or undefined. */
  function parseLevel(choice, text) {
    return choice.levels.find((level) => {
      if (typeof level === "number") return text.trim() !== "" && Number(text) === level;
      if (typeof level === "boolean") return text.toLowerCase() === String(level);
      return text === String(level);
    });
  }

  const STORE = "ipof-explore-choice";
  const FOREIGN = new Set(["highlight", "q", "check_keywords", "area"]); // Sphinx search's own parameters

  /** The paper's choice: {name: level}. */
  function paperChoice(explore) {
    return Object.fromEntries(explore.choices.map((c) => [c.name, c.paper]));
  }

  /** The choice the address asks for (paper's levels where it names none), what it ignored, and whether it
   * named any choice at all. */
  function choiceFromSearch(explore, search) {
    const choice = paperChoice(explore);
    const ignored = [];
    let named = false;
    for (const [name, text] of new URLSearchParams(search)) {
      if (FOREIGN.has(name)) continue;
      const c = explore.choices.find((x) => x.name === name);
      if (!c) {
        ignored.push(`${name}=${text} (no such choice)`);
        continue;
      }
      const level = parseLevel(c, text);
      if (level === undefined) ignored.push(`${name}=${text} (not one of ${c.levels.map(levelText).join(", ")})`);
      else {
        choice[name] = level;
        named = true;
      }
    }
    return { choice, ignored, named };
  }

  /** The query string of a choice: the levels that are not the paper's, in the choices' order. */
  function searchOf(explore, choice) {
    const params = new URLSearchParams();
    for (const c of explore.choices) {
      if (levelText(choice[c.name]) !== levelText(c.paper)) params.set(c.name, levelText(choice[c.name]));
    }
    const text = params.toString();
    return text ? "?" + text : "";
  }

  function isPaper(explore, choice) {
    return searchOf(explore, choice) === "";
  }

  // ------------------------------------------------------------------------------------------------
  // Data: explore.json once per visit, the part files this page needs

  function base() {
    const root = document.documentElement.dataset.content_root || "";
    return root + "_static/explore/";
  }

  function cached(name, build) {
    const key = `ipof-explore:${build}:${name}`;
    try {
      const text = sessionStorage.getItem(key);
      if (text) return JSON.parse(text);
    } catch (e) { /* storage unavailable */ }
    return null;
  }

  function remember(name, build, data, text) {
    try {
      if (text.length < 1500000) sessionStorage.setItem(`ipof-explore:${build}:${name}`, text);
    } catch (e) { /* full or unavailable: fetched again next time */ }
    return data;
  }

  async function getJSON(name, build) {
    const hit = cached(name, build);
    if (hit) return hit;
    const response = await fetch(base() + name);
    if (!response.ok) throw new Error(`${name}: ${response.status}`);
    const text = await response.text();
    return remember(name, build, JSON.parse(text), text);
  }

  /** Every results key the page shows or reads (numbers, verdicts' rules, words, percentages' counts). */
  function pageKeys(explore) {
    const keys = new Set();
    document.querySelectorAll("[data-key]").forEach((el) => keys.add(el.dataset.key));
    document.querySelectorAll("[data-verdict]").forEach((el) => {
      const c = explore.conclusions[el.dataset.verdict];
      if (c) ruleKeys(c).forEach((k) => keys.add(k));
    });
    document.querySelectorAll("[data-words]").forEach((el) => wordsKeys(el.dataset.words).forEach((k) => keys.add(k)));
    for (const k of [...keys]) {
      const rule = explore.format[k];
      if (rule && rule.of) keys.add(rule.of);
    }
    return keys;
  }

  /** The parts (engine parts with files) the page needs, figures' parts included. */
  function pageParts(explore, keys) {
    const parts = new Set();
    keys.forEach((k) => {
      const part = explore.keys[k];
      if (part && explore.parts[part]) parts.add(part);
    });
    document.querySelectorAll("[data-figure]").forEach((el) => {
      const f = explore.figures && explore.figures[el.dataset.figure];
      if (f && explore.parts[f.part]) parts.add(f.part);
    });
    return parts;
  }

  /** The combo of a part or figure for a choice: level texts of its depends_on, "|"-joined. */
  function combo(dependsOn, choice) {
    return dependsOn.map((name) => levelText(choice[name])).join("|");
  }

  /** The values of an analysis for the loaded parts, and the errors of parts the data cannot compute. */
  function valuesOf(explore, loaded, choice) {
    const values = Object.assign({}, explore.fixed || {});
    for (const [k, part] of Object.entries(explore.keys)) if (part === "options") values[k] = choice[k];
    const errors = [];
    for (const [name, part] of Object.entries(loaded)) {
      const row = part.rows[combo(part.depends_on, choice)];
      if (row === undefined || (row && !Array.isArray(row))) {
        errors.push(row && row.error ? row.error : `no results for part ${name}`);
        part.keys.forEach((k) => { values[k] = null; });
        continue;
      }
      part.keys.forEach((k, i) => { values[k] = row[i]; });
    }
    return { values, errors };
  }

  // ------------------------------------------------------------------------------------------------
  // The page

  /** data-value of a value: "withheld", "null", or its JSON. */
  function rawValue(v) {
    if (isWithheld(v)) return "withheld";
    if (isMissing(v)) return "null";
    return JSON.stringify(v);
  }

  const state = { explore: null, loaded: {}, keys: null, parts: null, choice: null, build: "", lastUpdateMs: null,
    tables: [], followed: new Set() };

  /** Put the chosen analysis into the page: numbers, verdicts, words, methods words, figures, status. */
  function update(choice) {
    const t0 = performance.now();
    const { explore, loaded } = state;
    const ctx = { alpha: explore.alpha, min_cell: explore.min_cell };
    const { values, errors } = valuesOf(explore, loaded, choice);
    const setText = (el, text) => { if (el.textContent !== text) el.textContent = text; };
    document.querySelectorAll("[data-key]").forEach((el) => {
      const k = el.dataset.key;
      if (!(k in values) || !explore.format[k]) return;
      const v = values[k];
      let text;
      try {
        text = apply(explore.format[k], v, values, ctx);
      } catch (e) {
        text = "n/a";
      }
      const raw = rawValue(v);
      if (el.dataset.value !== raw) el.dataset.value = raw;
      setText(el, text);
    });
    document.querySelectorAll("[data-verdict]").forEach((el) => {
      const c = explore.conclusions[el.dataset.verdict];
      if (!c) return;
      const words = sentence(c, values, explore.alpha);
      setText(el, words);
      const effect = el.nextElementSibling;
      if (effect && effect.classList.contains("ipof-verdict-effect")) effect.hidden = words === c.not_estimable;
    });
    document.querySelectorAll("[data-words]").forEach((el) => {
      const words = phrase(el.dataset.words, values, explore.words);
      if (words !== null) setText(el, words);
    });
    const methods = methodWords();
    document.querySelectorAll("[data-method]").forEach((el) => {
      const words = methods[el.dataset.method];
      const text = words && words[levelText(choice[el.dataset.method])];
      if (text) setText(el, text);
    });
    document.querySelectorAll("[data-figure]").forEach((el) => swapFigure(el, choice));
    swapTables(choice, isPaper(explore, choice));
    markStatic(isPaper(explore, choice));
    showStatus(choice, errors);
    state.choice = choice;
    state.lastUpdateMs = performance.now() - t0;
    document.dispatchEvent(new CustomEvent("ipof-explore-updated", { detail: { ms: state.lastUpdateMs } }));
  }

  let methodCache = null;
  function methodWords() {
    if (methodCache === null) {
      const el = document.getElementById("ipof-method-words");
      methodCache = el ? JSON.parse(el.textContent) : {};
    }
    return methodCache;
  }

  /** A figure that depends on choices: the image (and its phone <source>) of the chosen combo; under the
   * paper's analysis the figure the page was built with (remembered on the first swap). */
  function swapFigure(el, choice) {
    const figure = state.explore.figures && state.explore.figures[el.dataset.figure];
    if (!figure) return;
    const img = el.querySelector("img");
    const source = el.querySelector("source");
    if (!("paperSrc" in el.dataset)) {
      el.dataset.paperSrc = img ? img.getAttribute("src") : "";
      el.dataset.paperSrcset = source ? source.getAttribute("srcset") || "" : "";
    }
    let wide = el.dataset.paperSrc, narrow = el.dataset.paperSrcset;
    if (!isPaper(state.explore, choice)) {
      const files = figure.files[combo(figure.depends_on, choice)];
      if (!files) return;
      wide = files.wide ? base() + files.wide : wide;
      narrow = files.narrow ? base() + files.narrow : narrow;
    }
    if (img && wide && img.getAttribute("src") !== wide) img.setAttribute("src", wide);
    if (source && narrow && source.getAttribute("srcset") !== narrow) source.setAttribute("srcset", narrow);
  }

  /** Under another analysis, a computed table or figure that does not follow the choice (no data-key
   * cell, no data-figure, no exported cells of the chosen analysis) says that it shows the paper's analysis. */
  function markStatic(paper) {
    if (state.staticBlocks === undefined) {
      const article = document.querySelector("article") || document.body;
      const tables = [...article.querySelectorAll(".ipof-table-block")].filter((t) => !t.querySelector("[data-key]"));
      const figures = [...article.querySelectorAll(".cell_output img, figure img")]
        .filter((img) => /_images\//.test(img.getAttribute("src") || "") && !img.closest("[data-figure]"))
        .map((img) => img.closest("figure") || img.closest("picture") || img);
      state.staticBlocks = [...new Set([...tables, ...figures])].map((block) => {
        const note = el("p", { class: "ipof-static-note", text: block.matches(".ipof-table-block")
          ? "This table shows the paper's analysis: it does not follow the choice above."
          : "This figure shows the paper's analysis: it does not follow the choice above." });
        note.hidden = true;
        block.parentNode.insertBefore(note, block);
        return { block, note };
      });
    }
    state.staticBlocks.forEach(({ block, note }) => {
      const hide = paper || state.followed.has(block);
      if (note.hidden !== hide) note.hidden = hide;
    });
  }

  /** The computed tables of the page that the build exported (explore.json "tables", by the table's id): their
   * body cells (the <p> of a cell, or the cell) and the cells' HTML as built (the paper's analysis). */
  function pageTables(explore) {
    const out = [];
    Object.entries(explore.tables || {}).forEach(([name, entry]) => {
      const found = document.getElementById(name);
      const table = found && (found.tagName === "TABLE" ? found : found.querySelector("table"));
      if (!table || !table.tBodies.length) return;
      const rows = [...table.tBodies].flatMap((body) => [...body.rows]).map((row) => [...row.cells].map((td) => {
        const only = td.children.length === 1 && td.firstElementChild.tagName === "P" ? td.firstElementChild : null;
        return only && only.textContent === td.textContent ? only : td;
      }));
      const block = table.closest(".ipof-table-block") || table;
      const caption = table.querySelector("caption .caption-text");
      const heads = table.tHead ? [...table.tHead.rows[table.tHead.rows.length - 1].cells].map((th) =>
        (th.children.length === 1 && th.firstElementChild.tagName === "P" ? th.firstElementChild : th)) : [];
      const notes = block.querySelector(".ipof-table-notes");
      const original = rows.map((r) => r.map((c) => c.innerHTML));
      out.push({ name, entry, table, block, rows, original, current: original.map((r) => r.slice()),
        heads, headsOriginal: heads.map((h) => h.innerHTML),
        caption, captionOriginal: caption ? caption.innerHTML : null, notes,
        notesOriginal: notes ? notes.innerHTML : null, data: null, shown: "paper" });
    });
    return out;
  }

  /** Show a table's cells: the exported variant of the chosen analysis when it has the page's shape (rows and
   * columns), the built cells under the paper's analysis; a table without a fitting variant keeps the
   * paper's cells and its note. */
  function swapTables(choice, paper) {
    state.followed = new Set();
    state.tables.forEach((t) => {
      let want = "paper";
      let cells = t.original;
      if (!paper) {
        const i = t.data ? t.data.combos[combo(t.data.depends_on, choice)] : undefined;
        const variant = i === undefined ? null : t.data.variants[i];
        const fits = variant && variant.length === t.rows.length
          && variant.every((row, r) => row.length === t.rows[r].length);
        if (fits) {
          want = i;
          cells = variant;
        }
      }
      if (want !== "paper" || paper) state.followed.add(t.block);
      if (t.shown === want) return;
      // write only the cells that differ from what is shown (compared with a cached copy: reading innerHTML
      // back from the page costs a serialisation per cell)
      t.rows.forEach((row, r) => row.forEach((target, c) => {
        if (t.current[r][c] !== cells[r][c]) {
          target.innerHTML = cells[r][c];
          t.current[r][c] = cells[r][c];
        }
      }));
      showCaptionAndNotes(t, want);
      t.shown = want;
    });
  }

  /** A table's header row, caption and notes for the variant shown ("paper": as built): a header or a caption
   * can name a choice ("P (one-tailed)", "Spearman rank correlations") and a note explains a withheld cell, so
   * they follow the cells. */
  function showCaptionAndNotes(t, want) {
    const captions = t.data && t.data.captions, notes = t.data && t.data.notes, headers = t.data && t.data.headers;
    const head = want === "paper" || !headers ? t.headsOriginal : headers[want];
    if (head && head.length === t.heads.length) {
      t.heads.forEach((h, i) => { if (h.innerHTML !== head[i]) h.innerHTML = head[i]; });
    }
    const caption = want === "paper" || !captions ? t.captionOriginal : captions[want];
    if (t.caption && caption !== null && t.caption.innerHTML !== caption) t.caption.innerHTML = caption;
    if (!notes) return;
    let html = t.notesOriginal;
    if (want !== "paper") html = notes[want].map((p) => `<p>${p}</p>`).join("");
    if (!t.notes && html) {  // the paper's table had no notes: a note (a withheld cell) appears
      t.notes = el("div", { class: "ipof-table-notes docutils container" });
      if (t.block !== t.table) t.block.append(t.notes);
      else t.table.insertAdjacentElement("afterend", t.notes);
    }
    if (t.notes && t.notes.innerHTML !== (html || "")) t.notes.innerHTML = html || "";
  }

  // ------------------------------------------------------------------------------------------------
  // The panel

  function labelOf(c, level) {
    const text = levelText(level);
    return (c.labels && c.labels[text]) || text;
  }

  /** The choices that change something on this page (their parts' depends_on). */
  function pageChoices() {
    const names = new Set();
    const { explore } = state;
    state.parts.forEach((p) => explore.parts[p].depends_on.forEach((n) => names.add(n)));
    state.keys.forEach((k) => { if (explore.keys[k] === "options") names.add(k); });
    document.querySelectorAll("[data-method]").forEach((el) => names.add(el.dataset.method));
    state.tables.forEach((t) => t.entry.depends_on.forEach((n) => names.add(n)));
    return names;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    });
    children.forEach((c) => node.append(c));
    return node;
  }

  function buildPanel(box, relevant) {
    const { explore } = state;
    box.textContent = "";
    const details = el("details", { class: "ipof-explore-box" });
    const summary = el("summary", {},
      el("span", { class: "ipof-explore-title", text: "Analysis shown: " }),
      el("span", { class: "ipof-explore-status" }), " ",
      el("span", { class: "ipof-explore-hint", text: "(change the analytic choices)" }));
    details.append(summary);
    details.append(el("p", { class: "ipof-explore-intro", text:
      "Change an analytic choice and every number, verdict and rule-chosen word on this page follows, " +
      "computed by the same pipeline for that analysis of the multiverse. The choice is kept as you move " +
      "between pages and is written in the address, so a link shows the same analysis." }));
    const form = el("form", { class: "ipof-explore-form", "aria-label": "Analytic choices" });
    form.addEventListener("submit", (e) => e.preventDefault());
    const controls = (choices) => choices.map((c) => {
      const id = `ipof-choice-${c.name}`;
      const select = el("select", { id, name: c.name, "aria-describedby": `${id}-paper` });
      c.levels.forEach((level) => {
        const paper = levelText(level) === levelText(c.paper);
        select.append(el("option", { value: levelText(level), text: labelOf(c, level) + (paper ? " (the paper's)" : "") }));
      });
      select.addEventListener("change", () => choose(Object.assign({}, state.choice, { [c.name]: parseLevel(c, select.value) })));
      return el("div", { class: "ipof-choice", "data-choice": c.name },
        el("label", { for: id }, el("strong", { text: c.title || c.name.replace(/_/g, " ") }),
          el("span", { class: "ipof-choice-desc", text: `: ${c.description}` })), select,
        el("span", { class: "ipof-choice-paper", id: `${id}-paper`, text: `The paper's: ${labelOf(c, c.paper)}` }));
    });
    const here = explore.choices.filter((c) => relevant.has(c.name));
    const elsewhere = explore.choices.filter((c) => !relevant.has(c.name));
    if (here.length) form.append(el("fieldset", {}, el("legend", { text: "Choices that change this page" }), ...controls(here)));
    if (elsewhere.length) {
      const more = el("details", { class: "ipof-explore-more" },
        el("summary", { text: here.length ? `Other choices (${elsewhere.length}; they change other pages)` : `All choices (${elsewhere.length})` }),
        el("fieldset", {}, el("legend", { class: "ipof-visually-hidden", text: "Other choices" }), ...controls(elsewhere)));
      form.append(more);
    }
    const reset = el("button", { type: "button", class: "ipof-explore-reset", text: "Show the paper's analysis" });
    reset.addEventListener("click", () => choose(paperChoice(explore)));
    form.append(el("div", { class: "ipof-explore-actions" }, reset));
    details.append(form);
    details.append(el("p", { class: "ipof-explore-note", role: "status", "aria-live": "polite" }));
    box.append(details);
    box.hidden = false;
  }

  /** The changed choices in words, "yates: yes", each by its short title (explore.json "title", else its
   * name) and its level's label. */
  function describe(choice) {
    return state.explore.choices.filter((c) => levelText(choice[c.name]) !== levelText(c.paper))
      .map((c) => `${c.title || c.name.replace(/_/g, " ")}: ${labelOf(c, choice[c.name])}`);
  }

  function showStatus(choice, errors) {
    const box = document.getElementById("ipof-explore");
    const paper = isPaper(state.explore, choice);
    if (box) box.classList.toggle("ipof-not-paper", !paper); // (not on <html>: that restyles the whole page)
    if (state.replaced === undefined) state.replaced = [...document.querySelectorAll(".ipof-replaced")];
    state.replaced.forEach((mark) => { mark.hidden = !paper; }); // ≠ compares the paper's analysis with the print
    const changed = describe(choice);
    const relevant = pageChoices();
    const here = state.explore.choices.some((c) => relevant.has(c.name) && levelText(choice[c.name]) !== levelText(c.paper));
    let status = paper ? "the paper's analysis" : `not the paper's analysis (${changed.join("; ")})`;
    if (!paper && !here) status += "; these choices change nothing on this page";
    if (box) {
      const s = box.querySelector(".ipof-explore-status");
      if (s) s.textContent = status;
      box.querySelectorAll("select").forEach((select) => {
        const text = levelText(choice[select.name]);
        if (select.value !== text) select.value = text;
        select.closest(".ipof-choice").classList.toggle("ipof-changed",
          text !== levelText(state.explore.choices.find((c) => c.name === select.name).paper));
      });
      const reset = box.querySelector(".ipof-explore-reset");
      if (reset) reset.disabled = paper;
      const note = box.querySelector(".ipof-explore-note");
      const lines = [...state.ignored.map((t) => `Ignored in the address: ${t}.`),
        ...errors.map((t) => `This analysis cannot be computed on these data: ${t}`)];
      if (note && note.textContent !== lines.join(" ")) note.textContent = lines.join(" ");
      if (lines.length && errors.length) box.querySelector("details").open = true;
    }
    provenance(status);
  }

  /** A line in the page's provenance box: which analysis the browser shows. */
  function provenance(status) {
    const summary = [...document.querySelectorAll("details summary")].find((s) => s.textContent.trim() === "Provenance of this page");
    const list = summary && summary.parentElement.querySelector("ul");
    if (!list) return;
    let li = list.querySelector(".ipof-explore-provenance");
    if (!li) {
      li = el("li", { class: "ipof-explore-provenance" });
      list.append(li);
    }
    const text = `shown in this browser: ${status}, from the results the build exported for every analysis of the multiverse`;
    if (li.textContent !== text) li.textContent = text;
  }

  /** An internal link carries the choice (a link opened in a new tab, copied or followed shows the same
   * analysis): its href is rewritten when the reader points at it, focuses it or presses on it, not for
   * every link at every change (a page has hundreds). */
  function carryInLink(a) {
    const href = a.getAttribute("href");
    if (!href || /^[a-z]+:|^\/\/|^#/i.test(href)) return;
    const m = href.match(/^([^?#]*\.html)(\?[^#]*)?(#.*)?$/);
    if (!m) return;
    const next = m[1] + (state.search || "") + (m[3] || "");
    if (next !== href) a.setAttribute("href", next);
  }

  function carryInLinks() {
    if (state.carrying) return;
    state.carrying = true;
    const handler = (event) => {
      const a = event.target && event.target.closest && event.target.closest("a[href]");
      if (a) carryInLink(a);
    };
    ["pointerover", "pointerdown", "focusin", "touchstart", "contextmenu"].forEach((type) =>
      document.addEventListener(type, handler, { capture: true, passive: true }));
  }

  /** Show the analysis `choice`: remember it, write it in the address and in the links, update the page. */
  function choose(choice) {
    const search = searchOf(state.explore, choice);
    try {
      sessionStorage.setItem(STORE, search);
    } catch (e) { /* private mode */ }
    const url = location.pathname + search + location.hash;
    if (location.search !== search) history.replaceState(history.state, "", url);
    state.search = search;
    carryInLinks();
    update(choice);
  }

  async function start() {
    const box = document.getElementById("ipof-explore");
    if (!box) return;
    state.build = box.dataset.build || "";
    let explore;
    try {
      explore = await getJSON("explore.json", state.build);
    } catch (e) {
      return; // no exported results: the page stays the paper's analysis, as built
    }
    state.explore = explore;
    let search = location.search;
    const fromAddress = choiceFromSearch(explore, search);
    if (!fromAddress.named) {
      let stored = "";
      try { stored = sessionStorage.getItem(STORE) || ""; } catch (e) { /* none */ }
      if (stored) search = stored;
    }
    const { choice } = fromAddress.named ? fromAddress : choiceFromSearch(explore, search);
    state.ignored = fromAddress.ignored;
    state.keys = pageKeys(explore);
    state.parts = pageParts(explore, state.keys);
    const names = [...state.parts];
    const files = await Promise.all(names.map((p) => getJSON(explore.parts[p].file, state.build).catch(() => null)));
    names.forEach((p, i) => { if (files[i]) state.loaded[p] = files[i]; });
    state.tables = pageTables(explore);
    const cells = await Promise.all(state.tables.map((t) => getJSON(t.entry.file, state.build).catch(() => null)));
    state.tables.forEach((t, i) => { t.data = cells[i]; });
    buildPanel(box, box.dataset.front ? new Set(explore.choices.map((c) => c.name)) : pageChoices());
    choose(choice);
    document.documentElement.classList.add("ipof-explore-ready");
  }

  const api = { apply, fmtNum, fmtP, fmtPSided, fmtNumSided, fmtBounded, fmtInt, pyFixed, pyG, pyRepr, pyStr,
    outcome, sentence, phrase, levelText, parseLevel, choiceFromSearch, searchOf, valuesOf,
    choose: (c) => choose(Object.assign(paperChoice(state.explore), c)), update, state };
  window.IpofExplore = api;
  window.ipofExploreReady = (document.readyState === "loading"
    ? new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve))
    : Promise.resolve()).then(start);
})();
