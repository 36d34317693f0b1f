/**
 * What the privacy scanner reports: the kind of personal data and where it is, never the value,
 * so a finding can be logged without leaking what it found.
 */

export type EntityType =
  | 'EMAIL'
  | 'PHONE'
  | 'CREDIT_CARD'
  | 'IBAN'
  | 'US_SSN'
  | 'IP_ADDRESS'
  | 'STREET_ADDRESS'
  | 'PERSON'
  | 'DATE_OF_BIRTH'
  | 'MEDICAL_RECORD'
  | 'DIAGNOSIS'
  | 'UK_NHS'
  | 'CA_SIN'
  | 'ES_NIF'
  | 'BR_CPF'
  | 'IN_AADHAAR'
  | 'UK_NINO'
  | 'FR_NIR'
  | 'IT_FISCAL_CODE'
  | 'NL_BSN';

/** A finding; `start`/`end` are UTF-16 code-unit offsets into the scanned string (`end` exclusive). */
export interface Entity {
  type: EntityType;
  start: number;
  end: number;
}

/** A detector appends its findings to `out`; detectors never throw on any input. */
export type Detector = (text: string, out: Entity[]) => void;
