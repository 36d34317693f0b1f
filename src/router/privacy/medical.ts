/**
 * Health data and birth dates: dates of birth (a full date after born/DOB/birth), medical record
 * and patient identifiers (after MRN, patient ID, ...), and diagnoses tied to someone.
 *
 * A diagnosis counts only when it is about an identifiable person or the writer: "I was diagnosed
 * with", "my son suffers from", a detected name nearby. Exam vignettes ("A 45-year-old man is
 * diagnosed with ...") describe nobody and must not make a request sensitive.
 */
import type { Entity } from './entity.js';
import { isStop } from './person.js';

const MONTH = String.raw`(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const DATE = new RegExp(String.raw`\b(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?${MONTH},?[ \t]+\d{4}|${MONTH}[ \t]+\d{1,2}(?:st|nd|rd|th)?,?[ \t]+\d{4})\b`, 'i');
const DOB_CUE = /\b(?:born|date of birth|d\.?o\.?b\b\.?|birth ?date|birthday|geboren|n[ée]e? le|fecha de nacimiento|data di nascita|date de naissance)/gi;

export function detectDateOfBirth(text: string, out: Entity[]): void {
  DOB_CUE.lastIndex = 0;
  for (let m = DOB_CUE.exec(text); m !== null; m = DOB_CUE.exec(text)) {
    const from = m.index + m[0].length;
    const window = text.slice(from, from + 30);
    const d = DATE.exec(window);
    if (!d) continue;
    out.push({ type: 'DATE_OF_BIRTH', start: from + d.index, end: from + d.index + d[0].length });
    DOB_CUE.lastIndex = from + d.index + d[0].length;
  }
}

const MRN_CUE = /\b(?:mrn|medical record(?: number| no\.?| #)?|patient (?:id|identifier|number|no\.?|#)|chart (?:number|no\.?|#)|hospital (?:number|no\.?|id)|health (?:card|insurance|plan) (?:number|no\.?|id)|member id|nhs (?:number|no\.?)|medicare (?:number|no\.?|id)|medicaid (?:number|no\.?|id)|case (?:number|no\.?))\b[ \t]*(?:is|:|#|=|-)?[ \t]*#?[ \t]*/gi;
const MRN_ID = /[A-Z0-9][A-Z0-9-]{3,19}\b/iy;

export function detectMedicalRecord(text: string, out: Entity[]): void {
  MRN_CUE.lastIndex = 0;
  for (let m = MRN_CUE.exec(text); m !== null; m = MRN_CUE.exec(text)) {
    const at = m.index + m[0].length;
    MRN_ID.lastIndex = at;
    const id = MRN_ID.exec(text);
    // Identifiers carry digits; "patient ID card" or "MRN field" do not.
    if (!id || (id[0].match(/\d/g)?.length ?? 0) < 2) continue;
    out.push({ type: 'MEDICAL_RECORD', start: at, end: at + id[0].length });
  }
}

const DIAGNOSIS_CUE = /\b(?:(?:was|were|been|being|is|am|are|got|just|recently|newly) diagnosed (?:with|as having)|diagnosis(?: of| is|:)|suffers? from|suffering from|(?:was|been|is|am|got|being) prescribed|prescribed (?:me|him|her|them)|tested positive for|(?:being|been|was|is|am|getting) treated for|undergoing (?:chemo(?:therapy)?|dialysis|radiation|treatment)|medical history of|(?:has|have|had) a history of)\b/gi;
// The writer or a relative: "I was", "my husband", "me". A capital "I" must start a clause
// ("I was", "I've"), so roman numerals in exam options ("I and II only") do not count.
const FIRST_PERSON = /(?:\bI(?=['’]| [a-z])|\b(?:[Mm]y|[Mm]e|[Mm]yself|[Oo]ur)\b)/;

const FULL_NAME = /(?<![\p{L}\p{M}])(\p{Lu}[\p{Ll}\p{M}'’-]+)[ \t]+(?:\p{Lu}\.?[ \t]+)?(\p{Lu}[\p{Ll}\p{M}'’-]+)(?![\p{L}\p{M}])/u;

export function detectDiagnosis(text: string, out: Entity[], persons: readonly Entity[]): void {
  DIAGNOSIS_CUE.lastIndex = 0;
  for (let m = DIAGNOSIS_CUE.exec(text); m !== null; m = DIAGNOSIS_CUE.exec(text)) {
    const start = m.index;
    let end = start + m[0].length;
    // Take the condition: the words up to the next clause break, at most ~40 characters.
    const rest = /^[^.,;:!?\n]{0,40}/.exec(text.slice(end))?.[0] ?? '';
    end += rest.trimEnd().length;
    // The sentence (or 100 characters) before the cue names who it is about.
    let from = Math.max(0, start - 100);
    const before = text.slice(from, start);
    const brk = Math.max(before.lastIndexOf('. '), before.lastIndexOf('\n'), before.lastIndexOf('? '), before.lastIndexOf('! '));
    if (brk !== -1) from += brk + 1;
    const aboutWriter = FIRST_PERSON.test(text.slice(from, end));
    let aboutNamed = persons.some((p) => p.end >= from - 20 && p.start <= end + 60);
    if (!aboutNamed) {
      // "John Smith was diagnosed with ...": a full name in the same sentence is a person.
      const name = FULL_NAME.exec(text.slice(from, start));
      if (name && !isStop(name[1]) && !isStop(name[2])) {
        out.push({ type: 'PERSON', start: from + name.index, end: from + name.index + name[0].length });
        aboutNamed = true;
      }
    }
    if (aboutWriter || aboutNamed) out.push({ type: 'DIAGNOSIS', start, end });
  }
}
