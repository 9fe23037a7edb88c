/**
 * The language-dependent part of "Export chat" text, as one data table. WhatsApp documents none of these
 * strings and rewords them between app versions, so each rule matches on stable parts and several
 * variants are listed; add a language by adding one entry to `LOCALES`.
 *
 * Template syntax (compiled to anchored, case-insensitive regular expressions):
 *   {actor} {targets} {value} {old}   captured parts; `"` any quote (" “ ” « » „); `'` ' or ’;
 *   `…` any trailing text; a space is any run of spaces (incl. U+00A0, U+202F); `(a|b)` alternatives,
 *   `(x)?` optional; `\(` and `\)` literal parentheses (Russian `добавил(-а)`, Polish `dodał(a)`).
 *   A final period is always optional (German and newer Spanish lines end with one).
 *
 * Every rule names its source (`src`): a public export line, parser fixture or phrase table (URL or
 * `repo:path`), `derived: …` for a gendered or you-form of an attested phrase, or `unattested: …` where
 * no public quote was found. docs/formats/system-lines.md lists them per language and event.
 */
import type { MembershipEventType, MessageKind } from '../../model/types.js';

export interface SystemRule {
  type: MembershipEventType;
  /** A template (see above) or a ready regular expression with the same named groups. */
  t: string | RegExp;
  /** The phrase itself says the owner is the actor ("Añadiste a …") or the target ("te añadió"). */
  you?: 'actor' | 'targets';
  /** Where the wording comes from (see the file comment). */
  src: string;
}

export interface LocaleTable {
  id: string;
  /** Words standing for the exporting phone's owner, as actor or target. */
  you: string[];
  /** Joins the last two names of a target list ("Ana, Boris and Carla"). */
  and: string[];
  system: SystemRule[];
  /** Whole-text markers of a deleted message. */
  deleted: string[];
  /** Chat file names: `<prefix><subject>.txt|.zip`. */
  fileNames: string[];
}

// ---- sources (docs/formats/system-lines.md) ----
/** Phrase tables collected from WhatsApp's own string files (iOS Localizable.strings, Android strings.xml). */
const WJ = 'starkdmi/whats_json:lib/src/patterns.dart';
/** Real exports gathered from public repositories into whats_json's test corpus. */
const wj = (file: string) => `starkdmi/whats_json:test/data/${file}`;
const WR = 'gesiscss/WhatsR:inst/Languages.csv';
const wr = (file: string) => `gesiscss/WhatsR:inst/${file}`;
const PUSTUR_258 = 'https://github.com/Pustur/whatsapp-chat-parser/issues/258';
const MTLN_16 = 'https://github.com/mtln/chat-export/issues/16';
/** Demo exports (Dutch Android and iOS, English Android) of a Dutch ministry's chat-merging tool. */
const minvws = (file: string) =>
  `https://github.com/minvws/DSA-WhatsApp-merger/blob/main/Demo%20Data/Chats/${file}`;
const NL_ANDROID = minvws('Carol%20Christmas/Export%20Carol/WhatsApp-chat%20met%20Test%20export.txt');
const NL_IOS = minvws('Dave%20Davidson/Dave%201%20media/_chat.txt');
const EN_ANDROID_MINVWS = minvws('Alice%20Wonderland/Export%201/WhatsApp%20Chat%20with%20Test%20export.txt');
const FORMATS = 'docs/whatsapp-formats.md §1';
const unattested = (note = '') => `unattested: no public quote found${note ? `; ${note}` : ''}`;
const inProjectDoc = unattested(`listed in ${FORMATS} (not an independent source)`);
const derived = (of: string) => `derived: ${of}`;

// Gendered endings written as WhatsApp does ("dodał(a)", "добавил(-а)") or spelled out ("dodała", "добавила").
const PL_A = '(a|\\(a\\)|\\(-a\\))?';
const PL_AS_ = '\\(-aś\\)|\\(aś\\)';
const PL_AS = `(${PL_AS_})?`;
const PL_USUNAL = '(usunął(\\(-ęła\\)|\\(a\\))?|usunęła)';
const RU_A = '(а|\\(а\\)|\\(-а\\))?';
/** "добавил(-а) контакт +7 …", "добавил(-а) участников: …": a word may stand before the names. */
const RU_WHO = '(контакт |участника |участников(:)? )?';
/** "غيّر" with or without the shadda. */
const AR_YR = 'ي(ّ)?ر';
const AR_ADMIN = 'مشرف(ًا|اً|ا|ة)?';

// Order inside `system` matters: specific phrases first, generic ones (`{actor} left`) last.
export const LOCALES: LocaleTable[] = [
  {
    id: 'en',
    you: ['You', 'you'],
    and: ['and', '&'],
    system: [
      {
        type: 'encryption_notice',
        t: /^Messages (and calls )?(to this (group|chat) )?.*end-to-end encrypt/i,
        src: wr('englishandroid24h.txt'),
      },
      {
        type: 'encryption_notice',
        t: /^Messages you send to this (group|chat).*end-to-end encrypt/i,
        src: unattested('older wording'),
      },
      { type: 'security_code_changed', t: 'Your security code with {targets} changed…', src: WR },
      {
        type: 'security_code_changed',
        t: "{targets}'s security code changed…",
        src: wj('chats_unique/vinay4goud python_list real_estate.txt'),
      },
      {
        type: 'number_changed',
        t: '{actor} changed their phone number…',
        src: wj(
          'chats_unique/okekegeoffrey WhatsApp_Data_Analytics WhatsApp%20Chat%20with%20INDUSTRIALIST%20%202017.txt',
        ),
      },
      {
        type: 'number_changed',
        t: '{actor} changed to {value}',
        src: wj('chats_unique/Rohianon WhatsappChatAnalysis Group.txt'),
      },
      {
        type: 'number_changed',
        t: '{actor} changed from {old} to {value}',
        src: wj('chats_unique/bisho1995 whatsapp-message-datavisualization data.txt'),
      },
      {
        type: 'subject_changed',
        t: '{actor} changed the (subject|group name) from "{old}" to "{value}"',
        src: `${wj('chats_unique/ifebuche AskPyFesh_Group WhatsApp%20Chat%20with%20%23AskPyFesh_2.txt')}; ${wr('englishandroid24h.txt')}`,
      },
      {
        type: 'subject_changed',
        t: '{actor} changed the (subject|group name) to "{value}"',
        src: `${wr('englishios24h.txt')}; ${WJ}`,
      },
      {
        type: 'icon_changed',
        t: "{actor} (changed|deleted|removed) (this group's|the group) (icon|photo)",
        src: wj('chats_unique/Kunleiky WHATSAPP-GROUP-PAGE-ANALYSIS-1 COGNOSCENTI.txt'),
      },
      {
        type: 'description_changed',
        t: '{actor} (changed|deleted) the group description…',
        src: wj('chats_unique/onepersonhere Chat-Analyser exported3.txt'),
      },
      {
        type: 'invite_link_reset',
        t: "{actor} reset this group's invite link",
        src: wj('chats_unique/ifebuche 2NYP-DS-Project WhatsApp%20Chat%20with%202NYP%20Data%20Project.txt'),
      },
      {
        type: 'settings_changed',
        t: "{actor} changed (this group's|the group|the) settings…",
        src: `${wj('chats_unique/Kunleiky WHATSAPP-GROUP-PAGE-ANALYSIS-1 COGNOSCENTI.txt')}; ${WJ}`,
      },
      { type: 'created', t: '{actor} created (the )?group "{value}"', src: `${PUSTUR_258}; ${WR}` },
      {
        type: 'created',
        t: '{actor} created this group',
        src: wj('chats_unique/aswansyahputra wafun wachats_kaggle.txt'),
      },
      {
        type: 'joined_via_link',
        t: "{actor} joined using this group's invite link",
        src: wj('chats_unique/iXpert98 Dayta-Scientists WhatsApp%20Chat%20with%20Day-ta%20scientist.txt'),
      },
      { type: 'joined_via_link', t: '{actor} joined using your invite', src: EN_ANDROID_MINVWS },
      {
        type: 'joined_via_link',
        t: '{actor} joined (using|via|from) (a|the) (group|invite) link',
        src: unattested('newer wording "joined using a group link" seen only in a viewer\'s phrase table'),
      },
      { type: 'admin_promoted', t: "You('| a)re now an admin", you: 'targets', src: PUSTUR_258 },
      {
        type: 'admin_promoted',
        t: '{targets} (is|are) now (an )?admin(s)?',
        src: derived('third-person form of "You\'re now an admin"'),
      },
      {
        type: 'admin_demoted',
        t: "You('| a)re no longer an admin",
        you: 'targets',
        src: wj('chats_unique/Aruj77 Chat-Analyzer WhatsApp Chat with Cs-1 Unofficial.txt'),
      },
      {
        type: 'admin_demoted',
        t: '{targets} (is|are) no longer (an )?admin(s)?',
        src: derived('third-person form of "You\'re no longer an admin"'),
      },
      {
        type: 'added',
        t: '{targets} (was|were) added',
        src: wj(
          'chats_unique/Gopalsingh1531 Whatsapp_Chat_Analysis WhatsApp%20Chat%20with%20DSA%20-%20notes%20group.txt',
        ),
      },
      { type: 'added', t: '{actor} added {targets}', src: `${PUSTUR_258}; ${wr('englishandroid24h.txt')}` },
      {
        type: 'removed',
        t: '{actor} removed {targets}',
        src: `${wj('chats_unique/thyagomota zap-groups sample.txt')}; ${wj('chats_unique/onepersonhere Chat-Analyser exported3.txt')}`,
      },
      {
        type: 'left',
        t: '{actor} left( the group)?',
        src: wj('chats_unique/jesus-perez-366 api-sentiment-project ingles.txt'),
      },
    ],
    deleted: ['This message was deleted', 'You deleted this message'],
    fileNames: ['WhatsApp Chat with ', 'WhatsApp Chat - '],
  },
  {
    id: 'fr',
    you: ['Vous', 'vous'],
    and: ['et'],
    system: [
      { type: 'encryption_notice', t: /chiffr[ée]+s? de bout en bout/i, src: WJ },
      {
        type: 'security_code_changed',
        t: 'Votre code de sécurité avec {targets} a changé…',
        src: `${WJ}; ${wj('chats_unique/WhatsApp Chat - Elon Musk (FR).txt')}`,
      },
      { type: 'security_code_changed', t: 'Le code de sécurité de {targets} a changé…', src: unattested() },
      { type: 'number_changed', t: '{actor} a changé (son numéro|de numéro)…', src: unattested() },
      { type: 'number_changed', t: '{actor} est passé(e)? au {value}', src: unattested() },
      {
        type: 'subject_changed',
        t: '{actor} (a|avez) (changé|modifié) (le sujet|le nom du groupe) de "{old}" (à|en|pour) "{value}"',
        src: inProjectDoc,
      },
      {
        type: 'subject_changed',
        t: '{actor} (a|avez) (changé|modifié) (le sujet|le nom du groupe) (en|pour) "{value}"',
        src: inProjectDoc,
      },
      {
        type: 'icon_changed',
        t: "{actor} (a|avez) (changé|modifié|supprimé) (l'icône|la photo|l'image) (de ce|du) groupe",
        src: unattested(),
      },
      {
        type: 'description_changed',
        t: '{actor} (a|avez) (changé|modifié|supprimé) la description du groupe',
        src: unattested(),
      },
      {
        type: 'invite_link_reset',
        t: "{actor} (a|avez) réinitialisé le lien d'invitation…",
        src: unattested(),
      },
      { type: 'settings_changed', t: '{actor} (a|avez) (changé|modifié) les paramètres…', src: unattested() },
      { type: 'created', t: '{actor} (a|avez) créé (le )?groupe "{value}"', src: inProjectDoc },
      {
        type: 'created',
        t: '{actor} (a|avez) créé ce groupe',
        src: derived('« a créé le groupe » without a subject'),
      },
      {
        type: 'joined_via_link',
        t: "{actor} (a rejoint|s'est joint(e)?|avez rejoint)… lien d'invitation…",
        src: unattested(),
      },
      {
        type: 'admin_promoted',
        t: '{targets} (est|êtes) (maintenant|désormais) (un(e)? )?admin(istrat(eur|rice))?',
        src: unattested(),
      },
      {
        type: 'admin_demoted',
        t: "{targets} (n'est|n'êtes) plus (un(e)? )?admin(istrat(eur|rice))?",
        src: unattested(),
      },
      {
        type: 'added',
        t: '{actor} vous a ajouté(e)?',
        you: 'targets',
        src: derived('« a ajouté » with the owner as target'),
      },
      { type: 'added', t: '{actor} (a|avez) ajouté {targets}', src: inProjectDoc },
      {
        type: 'removed',
        t: '{actor} vous a retiré(e)?',
        you: 'targets',
        src: derived('« a retiré » with the owner as target'),
      },
      { type: 'removed', t: '{actor} (a|avez) retiré {targets}', src: unattested() },
      { type: 'left', t: '{actor} (est|êtes) parti(e)?(s)?', src: inProjectDoc },
      { type: 'left', t: '{actor} (a|avez) quitté (le|ce) groupe', src: unattested() },
    ],
    deleted: ['Ce message a été supprimé', 'Vous avez supprimé ce message'],
    fileNames: ['Discussion WhatsApp avec '],
  },
  {
    id: 'es',
    you: ['Tú', 'tú', 'Usted', 'usted', 'ti'],
    and: ['y', 'e'],
    system: [
      { type: 'encryption_notice', t: /cifrad[oa]s? de extremo a extremo/i, src: WJ },
      {
        type: 'security_code_changed',
        t: 'Cambió tu código de seguridad con {targets}(. …)?',
        src: wj('chats_unique/WhatsApp Chat - Elon Musk (Spanish).txt'),
      },
      {
        type: 'security_code_changed',
        t: 'Tu código de seguridad con {targets} cambió…',
        src: unattested('older word order'),
      },
      { type: 'security_code_changed', t: 'El código de seguridad de {targets} cambió…', src: unattested() },
      { type: 'number_changed', t: '{actor} cambió (su número|a un número nuevo)…', src: unattested() },
      {
        type: 'subject_changed',
        t: '(Tú |Usted )?Cambiaste (el asunto|el nombre del grupo) de "{old}" a "{value}"',
        you: 'actor',
        src: derived('you-form of "cambió el nombre del grupo de … a …"'),
      },
      {
        type: 'subject_changed',
        t: '(Tú |Usted )?Cambiaste (el asunto|el nombre del grupo) a "{value}"',
        you: 'actor',
        src: derived('you-form of "cambió el nombre del grupo a …"'),
      },
      {
        type: 'subject_changed',
        t: '{actor} cambió (el asunto|el nombre del grupo) de "{old}" a "{value}"',
        src: inProjectDoc,
      },
      {
        type: 'subject_changed',
        t: '{actor} cambió (el asunto|el nombre del grupo) a "{value}"',
        src: inProjectDoc,
      },
      {
        type: 'icon_changed',
        t: '(Tú |Usted )?(Cambiaste|Eliminaste) (el ícono|el icono|la imagen|la foto) de(l| este) grupo',
        you: 'actor',
        src: derived('you-form of "cambió el ícono de este grupo"'),
      },
      {
        type: 'icon_changed',
        t: '{actor} (cambió|eliminó) (el ícono|el icono|la imagen|la foto) de(l| este) grupo',
        src: unattested(),
      },
      {
        type: 'description_changed',
        t: '(Tú |Usted )?(Cambiaste|Eliminaste) la descripción del grupo',
        you: 'actor',
        src: derived('you-form of "cambió la descripción del grupo"'),
      },
      {
        type: 'description_changed',
        t: '{actor} (cambió|eliminó) la descripción del grupo',
        src: unattested(),
      },
      {
        type: 'invite_link_reset',
        t: '{actor} (restableció|restableciste)… enlace de invitación…',
        src: unattested(),
      },
      { type: 'settings_changed', t: '{actor} cambió (los ajustes|la configuración)…', src: unattested() },
      {
        type: 'created',
        t: '(Tú |Usted )?Creaste (el )?grupo "{value}"',
        you: 'actor',
        src: derived('you-form of "creó el grupo"'),
      },
      { type: 'created', t: '{actor} creó (el )?grupo "{value}"', src: inProjectDoc },
      { type: 'created', t: '{actor} creó este grupo', src: derived('"creó el grupo" without a subject') },
      {
        type: 'joined_via_link',
        t: 'Te uniste… enlace de invitación…',
        you: 'actor',
        src: unattested(),
      },
      { type: 'joined_via_link', t: '{actor} se unió… enlace de invitación…', src: unattested() },
      { type: 'admin_promoted', t: 'Ahora eres admin(istrador(a)?)?', you: 'targets', src: unattested() },
      { type: 'admin_promoted', t: '{targets} ahora (es|son) admin(istrador(a)?)?(es)?', src: unattested() },
      { type: 'admin_demoted', t: 'Ya no eres admin(istrador(a)?)?', you: 'targets', src: unattested() },
      { type: 'admin_demoted', t: '{targets} ya no (es|son) admin(istrador(a)?)?(es)?', src: unattested() },
      {
        type: 'added',
        t: '(Tú |Usted )?(Añadiste|Agregaste) a {targets}',
        you: 'actor',
        src: derived('you-form of "añadió a"'),
      },
      {
        type: 'added',
        t: '{actor} te (añadió|agregó)',
        you: 'targets',
        src: derived('"añadió" with the owner as target'),
      },
      { type: 'added', t: '{actor} (añadió|agregó) (a )?{targets}', src: unattested() },
      {
        type: 'removed',
        t: '(Tú |Usted )?Eliminaste a {targets}',
        you: 'actor',
        src: derived('you-form of "eliminó a"'),
      },
      {
        type: 'removed',
        t: '{actor} te eliminó',
        you: 'targets',
        src: derived('"eliminó" with the owner as target'),
      },
      { type: 'removed', t: '{actor} eliminó a {targets}', src: unattested() },
      {
        type: 'left',
        t: '(Tú |Usted )?Saliste( del grupo)?',
        you: 'actor',
        src: derived('you-form of "salió del grupo"'),
      },
      { type: 'left', t: '{actor} salió( del grupo)?', src: unattested() },
    ],
    deleted: ['Se eliminó este mensaje', 'Eliminaste este mensaje', 'Este mensaje fue eliminado'],
    fileNames: ['Chat de WhatsApp con '],
  },
  {
    id: 'it',
    you: ['Tu', 'tu', 'te'],
    and: ['e'],
    system: [
      { type: 'encryption_notice', t: /crittografa?t[io]? end-to-end|crittografia end-to-end/i, src: WJ },
      {
        type: 'security_code_changed',
        t: 'Il tuo codice di sicurezza con {targets} è cambiato…',
        src: wj('chats_unique/WhatsApp Chat - Elon Musk (IT).txt'),
      },
      {
        type: 'security_code_changed',
        t: 'Il codice di sicurezza di {targets} è cambiato…',
        src: unattested(),
      },
      { type: 'number_changed', t: '{actor} ha cambiato (il suo |il )?numero…', src: unattested() },
      {
        type: 'subject_changed',
        t: 'Hai (cambiato|modificato) (l\'oggetto|il nome del gruppo) da "{old}" (a|in) "{value}"',
        you: 'actor',
        src: derived('you-form of "ha cambiato l\'oggetto da … a …"'),
      },
      {
        type: 'subject_changed',
        t: 'Hai (cambiato|modificato) (l\'oggetto|il nome del gruppo) in "{value}"',
        you: 'actor',
        src: derived('you-form of "ha cambiato l\'oggetto in …"'),
      },
      {
        type: 'subject_changed',
        t: '{actor} ha (cambiato|modificato) (l\'oggetto|il nome del gruppo) da "{old}" (a|in) "{value}"',
        src: unattested(),
      },
      {
        type: 'subject_changed',
        t: '{actor} ha (cambiato|modificato) (l\'oggetto|il nome del gruppo) in "{value}"',
        src: unattested(),
      },
      {
        type: 'icon_changed',
        t: "Hai (cambiato|eliminato) (l'immagine|l'icona) (di questo|del) gruppo",
        you: 'actor',
        src: derived('you-form of "ha cambiato l\'immagine di questo gruppo"'),
      },
      {
        type: 'icon_changed',
        t: "{actor} ha (cambiato|eliminato) (l'immagine|l'icona) (di questo|del) gruppo",
        src: unattested(),
      },
      {
        type: 'description_changed',
        t: 'Hai (cambiato|modificato|eliminato) la descrizione del gruppo',
        you: 'actor',
        src: derived('you-form of "ha cambiato la descrizione del gruppo"'),
      },
      {
        type: 'description_changed',
        t: '{actor} ha (cambiato|modificato|eliminato) la descrizione del gruppo',
        src: unattested(),
      },
      {
        type: 'invite_link_reset',
        t: "Hai reimpostato il link (d'invito|di invito)…",
        you: 'actor',
        src: derived('you-form of "ha reimpostato il link d\'invito"'),
      },
      {
        type: 'invite_link_reset',
        t: "{actor} ha reimpostato il link (d'invito|di invito)…",
        src: unattested(),
      },
      {
        type: 'settings_changed',
        t: 'Hai (cambiato|modificato) le impostazioni…',
        you: 'actor',
        src: derived('you-form of "ha cambiato le impostazioni"'),
      },
      { type: 'settings_changed', t: '{actor} ha (cambiato|modificato) le impostazioni…', src: unattested() },
      {
        type: 'created',
        t: 'Hai creato (il )?gruppo "{value}"',
        you: 'actor',
        src: derived('you-form of "ha creato il gruppo"'),
      },
      { type: 'created', t: '{actor} ha creato (il )?gruppo "{value}"', src: inProjectDoc },
      {
        type: 'created',
        t: '{actor} ha creato questo gruppo',
        src: derived('"ha creato il gruppo" without a subject'),
      },
      {
        type: 'joined_via_link',
        t: "(Sei entrat(o|a)|Ti sei unit(o|a))… link (d'invito|di invito)…",
        you: 'actor',
        src: unattested(),
      },
      {
        type: 'joined_via_link',
        t: "{actor} (si è unit(o|a)|è entrat(o|a))… link (d'invito|di invito)…",
        src: unattested(),
      },
      {
        type: 'admin_promoted',
        t: 'Ora sei (un(a)? )?(amministrat(ore|rice)|admin)',
        you: 'targets',
        src: unattested(),
      },
      {
        type: 'admin_promoted',
        t: '{targets} (ora è|è ora) (un(a)? )?(amministrat(ore|rice)|admin)',
        src: unattested(),
      },
      {
        type: 'admin_demoted',
        t: 'Non sei più (un(a)? )?(amministrat(ore|rice)|admin)',
        you: 'targets',
        src: unattested(),
      },
      {
        type: 'admin_demoted',
        t: '{targets} non è più (un(a)? )?(amministrat(ore|rice)|admin)',
        src: unattested(),
      },
      { type: 'added', t: 'Hai aggiunto {targets}', you: 'actor', src: derived('you-form of "ha aggiunto"') },
      {
        type: 'added',
        t: '{actor} ti ha aggiunto',
        you: 'targets',
        src: derived('"ha aggiunto" with the owner as target'),
      },
      { type: 'added', t: '{actor} ha aggiunto {targets}', src: unattested() },
      { type: 'removed', t: 'Hai rimosso {targets}', you: 'actor', src: derived('you-form of "ha rimosso"') },
      {
        type: 'removed',
        t: '{actor} ti ha rimosso',
        you: 'targets',
        src: derived('"ha rimosso" with the owner as target'),
      },
      { type: 'removed', t: '{actor} ha rimosso {targets}', src: unattested() },
      {
        type: 'left',
        t: 'Sei uscit(o|a)( dal gruppo)?',
        you: 'actor',
        src: derived('you-form of "è uscito"'),
      },
      {
        type: 'left',
        t: '{actor} (è uscit(o|a)|ha abbandonato)( il gruppo| dal gruppo)?',
        src: unattested(),
      },
    ],
    deleted: ['Questo messaggio è stato eliminato', 'Hai eliminato questo messaggio'],
    fileNames: ['Chat WhatsApp con ', 'Chat di WhatsApp con '],
  },
  {
    id: 'de',
    you: ['Du', 'du', 'Sie', 'dich', 'dir', 'Ihnen'],
    and: ['und'],
    system: [
      { type: 'encryption_notice', t: /Ende-zu-Ende-verschlüsselt/i, src: wr('germanandroid24h.txt') },
      {
        type: 'security_code_changed',
        t: '(Dein|Deine|Ihr|Ihre) Sicherheits(nummer|code) (für|mit) {targets} hat sich geändert…',
        src: `${WR}; ${wj('chats_unique/WhatsApp Chat - Elon Musk (German).txt')}`,
      },
      {
        type: 'security_code_changed',
        t: 'Die Sicherheits(nummer|code) von {targets} hat sich geändert…',
        src: unattested(),
      },
      {
        type: 'security_code_changed',
        t: 'Der Sicherheitscode von {targets} hat sich geändert…',
        src: unattested(),
      },
      { type: 'number_changed', t: '{actor} hat eine neue Telefonnummer…', src: WR },
      {
        type: 'number_changed',
        t: '{actor} hat (seine|ihre|die) Telefonnummer… geändert…',
        src: unattested(),
      },
      { type: 'number_changed', t: '{actor} hat zu einer neuen Nummer gewechselt…', src: unattested() },
      { type: 'number_changed', t: '{actor} hat zu {value} gewechselt', src: WR },
      {
        type: 'subject_changed',
        t: '{actor} (hat|hast|haben) (den Betreff|den Gruppennamen) von "{old}" (zu|in) "{value}" geändert',
        src: `${wr('germanandroid24h.txt')}; ${WR}`,
      },
      {
        type: 'subject_changed',
        t: '{actor} (hat|hast|haben) (den Betreff|den Gruppennamen) (zu|in) "{value}" geändert',
        src: `${wr('germanios24h.txt')}; ${WR}`,
      },
      {
        type: 'icon_changed',
        t: '{actor} (hat|hast|haben) (das Gruppenbild|das Bild dieser Gruppe|das Gruppensymbol) (geändert|gelöscht|entfernt)',
        src: `${wr('germanandroid24h.txt')}; ${WR}`,
      },
      {
        type: 'description_changed',
        t: '{actor} (hat|hast|haben) die Gruppenbeschreibung (geändert|gelöscht)',
        src: WR,
      },
      {
        type: 'invite_link_reset',
        t: '{actor} (hat|hast|haben) den Einladungslink… zurückgesetzt',
        src: unattested(),
      },
      {
        type: 'settings_changed',
        t: '{actor} (hat|hast|haben) die (Gruppen)?einstellungen… geändert…',
        src: unattested(),
      },
      {
        type: 'created',
        t: '{actor} (hat|hast|haben) (die )?Gruppe "{value}" erstellt',
        src: `${wr('germanandroid24h.txt')}; ${FORMATS} (a real export)`,
      },
      { type: 'created', t: '{actor} (hat|hast|haben) diese Gruppe erstellt', src: WR },
      {
        type: 'created',
        t: '{actor} (hat|hast|haben) die Gruppe erstellt',
        src: 'https://github.com/gesiscss/WhatsR/issues/33',
      },
      {
        type: 'joined_via_link',
        t: '{actor} (ist|bist|sind|hat|hast)… Einladungslink… beigetreten',
        src: unattested(),
      },
      {
        type: 'admin_promoted',
        t: '{targets} (ist|bist|sind) (jetzt|nun) (ein(\\*e|e)? )?Admin(in)?',
        src: WR,
      },
      { type: 'admin_demoted', t: '{targets} (ist|bist|sind) kein(\\*e|e)? Admin(in)? mehr', src: WR },
      { type: 'added', t: '{targets} (wurde|wurden) hinzugefügt', src: WR },
      { type: 'added', t: '{actor} (hat|hast|haben) {targets} hinzugefügt', src: wr('germanandroid24h.txt') },
      { type: 'removed', t: '{actor} (hat|hast|haben) {targets} entfernt', src: wr('germanandroid24h.txt') },
      { type: 'left', t: '{actor} (hat|hast|haben) die Gruppe verlassen', src: WR },
      { type: 'left', t: '{actor} (ist|bist|sind) ausgetreten', src: unattested() },
    ],
    deleted: ['Diese Nachricht wurde gelöscht', 'Du hast diese Nachricht gelöscht'],
    fileNames: ['WhatsApp Chat mit ', 'WhatsApp-Chat mit '],
  },
  {
    id: 'pt',
    you: ['Você', 'você'],
    and: ['e'],
    system: [
      { type: 'encryption_notice', t: /criptografia de ponta a ponta|encriptadas ponto a ponto/i, src: WJ },
      {
        type: 'security_code_changed',
        t: 'O seu código de segurança (partilhado )?com {targets} mudou…',
        src: wj('chats_unique/WhatsApp Chat - Elon Musk (Portugal).txt'),
      },
      {
        type: 'security_code_changed',
        t: 'Seu código de segurança com {targets} (mudou|foi alterado)…',
        src: unattested(),
      },
      {
        type: 'security_code_changed',
        t: 'O código de segurança de {targets} (mudou|foi alterado)…',
        src: unattested(),
      },
      {
        type: 'number_changed',
        t: '{actor} (mudou|alterou) (seu número|para um novo número)…',
        src: unattested(),
      },
      {
        type: 'subject_changed',
        t: '{actor} (mudou|alterou) (o assunto|o nome do grupo) de "{old}" para "{value}"',
        src: inProjectDoc,
      },
      {
        type: 'subject_changed',
        t: '{actor} (mudou|alterou) (o assunto|o nome do grupo) para "{value}"',
        src: inProjectDoc,
      },
      {
        type: 'icon_changed',
        t: '{actor} (mudou|alterou|apagou|removeu) (a imagem|o ícone|a foto) (deste|do) grupo',
        src: unattested(),
      },
      {
        type: 'description_changed',
        t: '{actor} (mudou|alterou|apagou) a descrição do grupo',
        src: unattested(),
      },
      { type: 'invite_link_reset', t: '{actor} redefiniu o link de convite…', src: unattested() },
      { type: 'settings_changed', t: '{actor} (mudou|alterou) as configurações…', src: unattested() },
      { type: 'created', t: '{actor} criou (o )?grupo "{value}"', src: inProjectDoc },
      { type: 'created', t: '{actor} criou este grupo', src: inProjectDoc },
      { type: 'joined_via_link', t: '{actor} entrou… link de convite…', src: unattested() },
      {
        type: 'admin_promoted',
        t: '{targets} agora (é|são) (um(a)? )?admin(istrador(a)?)?(es)?',
        src: unattested(),
      },
      {
        type: 'admin_demoted',
        t: '{targets} não (é|são) mais (um(a)? )?admin(istrador(a)?)?(es)?',
        src: unattested(),
      },
      {
        type: 'added',
        t: '{actor} te adicionou',
        you: 'targets',
        src: derived('"adicionou" with the owner as target'),
      },
      { type: 'added', t: '{actor} adicionou {targets}', src: unattested() },
      {
        type: 'removed',
        t: '{actor} te removeu',
        you: 'targets',
        src: derived('"removeu" with the owner as target'),
      },
      { type: 'removed', t: '{actor} removeu {targets}', src: unattested() },
      { type: 'left', t: '{actor} saiu( do grupo)?', src: unattested() },
    ],
    deleted: ['Mensagem apagada', 'Esta mensagem foi apagada', 'Você apagou esta mensagem'],
    fileNames: ['Conversa do WhatsApp com '],
  },
  {
    id: 'nl',
    you: ['Jij', 'jij', 'U', 'u', 'Je', 'je', 'jou'],
    and: ['en'],
    system: [
      { type: 'encryption_notice', t: /end-to-end ?versleuteld|end-to-endversleuteling/i, src: WJ },
      {
        type: 'security_code_changed',
        t: '(Je|Uw) beveiligingscode met {targets} is gewijzigd…',
        src: unattested(),
      },
      {
        type: 'security_code_changed',
        t: 'De beveiligingscode van {targets} is gewijzigd…',
        src: unattested(),
      },
      {
        type: 'number_changed',
        t: '{actor} heeft (zijn|haar|het) telefoonnummer gewijzigd…',
        src: unattested(),
      },
      { type: 'number_changed', t: '{actor} is overgestapt naar een nieuw nummer…', src: unattested() },
      {
        type: 'subject_changed',
        t: '{actor} (heeft|hebt) (de onderwerpnaam|het onderwerp|de groepsnaam) gewijzigd van "{old}" (naar|in) "{value}"',
        src: unattested(),
      },
      {
        type: 'subject_changed',
        t: '{actor} (heeft|hebt) (de onderwerpnaam|het onderwerp|de groepsnaam) gewijzigd (naar|in) "{value}"',
        src: NL_IOS,
      },
      {
        type: 'icon_changed',
        t: '{actor} (heeft|hebt) (de afbeelding van deze groep|het groepspictogram|de groepsafbeelding) (gewijzigd|verwijderd)',
        src: NL_IOS,
      },
      {
        type: 'description_changed',
        t: '{actor} (heeft|hebt) de groepsbeschrijving (gewijzigd|verwijderd)',
        src: unattested(),
      },
      {
        type: 'invite_link_reset',
        t: '{actor} (heeft|hebt) de uitnodigingslink… (opnieuw ingesteld|gereset)',
        src: unattested(),
      },
      {
        type: 'settings_changed',
        t: '{actor} (heeft|hebt) de (groeps)?instellingen… gewijzigd…',
        src: unattested(),
      },
      {
        type: 'created',
        t: '{actor} (heeft|hebt) (de )?groep "{value}" (aangemaakt|gemaakt)',
        src: unattested(),
      },
      {
        type: 'created',
        t: '{actor} (heeft|hebt) de groep {value} (aangemaakt|gemaakt)',
        src: `${NL_ANDROID} (the subject without quotes)`,
      },
      { type: 'created', t: '{actor} (heeft|hebt) deze groep (aangemaakt|gemaakt)', src: NL_IOS },
      { type: 'joined_via_link', t: '{actor} neemt deel via (uw|jouw|je) uitnodiging', src: NL_ANDROID },
      {
        type: 'joined_via_link',
        t: '{actor} (neemt deel|is lid geworden|heeft zich aangesloten|bent lid geworden)… uitnodigingslink…',
        src: unattested(),
      },
      {
        type: 'admin_promoted',
        t: '{targets} (is|bent|ben|zijn) nu (een )?beheerder(s)?',
        src: `${NL_ANDROID}; ${NL_IOS}`,
      },
      { type: 'admin_demoted', t: '{targets} (is|bent|ben|zijn) geen beheerder(s)? meer', src: unattested() },
      { type: 'added', t: '{actor} (heeft|hebt) {targets} toegevoegd', src: `${NL_ANDROID}; ${NL_IOS}` },
      { type: 'added', t: '{targets} (is|zijn) toegevoegd', src: NL_IOS },
      { type: 'removed', t: '{actor} (heeft|hebt) {targets} verwijderd', src: unattested() },
      { type: 'left', t: '{actor} (heeft|hebt) de groep verlaten', src: `${NL_ANDROID}; ${NL_IOS}` },
      { type: 'left', t: '{actor} (is|bent) vertrokken', src: unattested() },
    ],
    deleted: ['Dit bericht is verwijderd', 'Je hebt dit bericht verwijderd', 'U hebt dit bericht verwijderd'],
    fileNames: ['WhatsApp-chat met ', 'WhatsApp chat met '],
  },
  // ---- added for issue 11: pl, ro, tr, ru, ar ----
  {
    id: 'pl',
    you: ['Ty', 'ty', 'Cię', 'cię', 'Ciebie', 'ciebie'],
    and: ['i', 'oraz'],
    system: [
      { type: 'encryption_notice', t: /w pełni zaszyfrowane|szyfrowane end-to-end/i, src: WJ },
      {
        type: 'security_code_changed',
        t: 'Twój kod zabezpieczeń z użytkownikiem {targets} zmienił się…',
        src: WJ,
      },
      { type: 'number_changed', t: `{actor} zmienił${PL_A} numer( telefonu)? na {value}`, src: unattested() },
      { type: 'number_changed', t: `{actor} zmienił${PL_A} numer telefonu…`, src: unattested() },
      {
        type: 'subject_changed',
        t: `(Zmieniłeś|Zmieniłaś)${PL_AS} (temat|nazwę grupy) z "{old}" na "{value}"`,
        you: 'actor',
        src: derived('you-form of "zmienił(a) temat z … na …"'),
      },
      {
        type: 'subject_changed',
        t: `(Zmieniłeś|Zmieniłaś)${PL_AS} (temat|nazwę grupy) na "{value}"`,
        you: 'actor',
        src: derived('you-form of "zmienił(a) temat na …"'),
      },
      {
        type: 'subject_changed',
        t: `{actor} zmienił${PL_A} (temat|nazwę grupy) z "{old}" na "{value}"`,
        src: unattested(),
      },
      {
        type: 'subject_changed',
        t: `{actor} zmienił${PL_A} (temat|nazwę grupy) na "{value}"`,
        src: unattested(),
      },
      {
        type: 'icon_changed',
        t: `(Zmieniłeś|Zmieniłaś|Usunąłeś|Usunęłaś)(${PL_AS_}|\\(-ęłaś\\))? (ikonę|zdjęcie|obraz) (tej )?grupy`,
        you: 'actor',
        src: derived('you-form of "zmienił(a) ikonę tej grupy"'),
      },
      {
        type: 'icon_changed',
        t: `{actor} (zmienił${PL_A}|${PL_USUNAL}) (ikonę|zdjęcie|obraz) (tej )?grupy`,
        src: unattested(),
      },
      {
        type: 'description_changed',
        t: `(Zmieniłeś|Zmieniłaś|Usunąłeś|Usunęłaś)(${PL_AS_}|\\(-ęłaś\\))? opis grupy`,
        you: 'actor',
        src: derived('you-form of "zmienił(a) opis grupy"'),
      },
      {
        type: 'description_changed',
        t: `{actor} (zmienił${PL_A}|${PL_USUNAL}) opis grupy`,
        src: unattested(),
      },
      {
        type: 'invite_link_reset',
        t: `(Zresetowałeś|Zresetowałaś)${PL_AS} link…`,
        you: 'actor',
        src: derived('you-form of "zresetował(a) link"'),
      },
      { type: 'invite_link_reset', t: `{actor} zresetował${PL_A} link…`, src: unattested() },
      {
        type: 'settings_changed',
        t: `(Zmieniłeś|Zmieniłaś)${PL_AS} ustawienia…`,
        you: 'actor',
        src: derived('you-form of "zmienił(a) ustawienia"'),
      },
      { type: 'settings_changed', t: `{actor} zmienił${PL_A} ustawienia…`, src: unattested() },
      {
        type: 'created',
        t: `(Utworzyłeś|Utworzyłaś)${PL_AS} grupę "{value}"`,
        you: 'actor',
        src: derived('you-form of "utworzył(a) grupę"'),
      },
      {
        type: 'created',
        t: `(Utworzyłeś|Utworzyłaś)${PL_AS} tę grupę`,
        you: 'actor',
        src: derived('you-form of "utworzył(a) tę grupę"'),
      },
      { type: 'created', t: `{actor} utworzył${PL_A} grupę "{value}"`, src: unattested() },
      { type: 'created', t: `{actor} utworzył${PL_A} tę grupę`, src: unattested() },
      {
        type: 'joined_via_link',
        t: `(Dołączyłeś|Dołączyłaś)${PL_AS}… link…`,
        you: 'actor',
        src: derived('you-form of "dołączył(a) … linku z zaproszeniem"'),
      },
      { type: 'joined_via_link', t: `{actor} dołączył${PL_A}… link…`, src: unattested() },
      {
        type: 'admin_promoted',
        t: 'Jesteś teraz (administratorem|adminem)',
        you: 'targets',
        src: unattested(),
      },
      {
        type: 'admin_promoted',
        t: '{targets} (jest|są) teraz (administratorem|adminem|administratorami)',
        src: unattested(),
      },
      {
        type: 'admin_demoted',
        t: 'Nie jesteś już (administratorem|adminem)',
        you: 'targets',
        src: unattested(),
      },
      {
        type: 'admin_demoted',
        t: '{targets} nie (jest|są) już (administratorem|adminem|administratorami)',
        src: unattested(),
      },
      {
        type: 'added',
        t: `{actor} dodał${PL_A} (Cię|Ciebie)`,
        you: 'targets',
        src: derived('"dodał(a)" with the owner as target'),
      },
      {
        type: 'added',
        t: `(Dodałeś|Dodałaś)${PL_AS} {targets}`,
        you: 'actor',
        src: derived('you-form of "dodał(a)"'),
      },
      { type: 'added', t: `{actor} dodał${PL_A} {targets}`, src: unattested() },
      {
        type: 'removed',
        t: `{actor} ${PL_USUNAL} (Cię|Ciebie)`,
        you: 'targets',
        src: derived('"usunął(-ęła)" with the owner as target'),
      },
      {
        type: 'removed',
        t: '(Usunąłeś|Usunęłaś)(\\(-ęłaś\\))? {targets}',
        you: 'actor',
        src: derived('you-form of "usunął(-ęła)"'),
      },
      { type: 'removed', t: `{actor} ${PL_USUNAL} {targets}`, src: unattested() },
      {
        type: 'left',
        t: `(Opuściłeś|Opuściłaś)${PL_AS} grupę`,
        you: 'actor',
        src: derived('you-form of "opuścił(a) grupę"'),
      },
      {
        type: 'left',
        t: `{actor} (opuścił${PL_A} grupę|wyszedł(\\(-szła\\))?( z grupy)?|wyszła( z grupy)?)`,
        src: unattested(),
      },
    ],
    deleted: ['Ta wiadomość została usunięta'],
    fileNames: [],
  },
  {
    id: 'ro',
    you: ['Dvs.', 'dvs.', 'Dumneavoastră', 'dumneavoastră', 'Tu', 'tu'],
    and: ['și', 'şi'],
    system: [
      { type: 'encryption_notice', t: /criptate integral|criptare integral/i, src: WJ },
      {
        type: 'security_code_changed',
        t: 'Codul (dvs. |tău )?de securitate cu {targets} s-a schimbat…',
        src: WJ,
      },
      { type: 'number_changed', t: '{actor} a trecut la {value}', src: unattested() },
      { type: 'number_changed', t: '{actor} (și-a schimbat|a schimbat) numărul…', src: unattested() },
      {
        type: 'subject_changed',
        t: '(Ați|Ai) schimbat (subiectul|numele grupului) din "{old}" în "{value}"',
        you: 'actor',
        src: derived('you-form of "a schimbat subiectul din … în …"'),
      },
      {
        type: 'subject_changed',
        t: '(Ați|Ai) schimbat (subiectul|numele grupului) în "{value}"',
        you: 'actor',
        src: derived('you-form of "a schimbat subiectul în …"'),
      },
      {
        type: 'subject_changed',
        t: '{actor} a schimbat (subiectul|numele grupului) din "{old}" în "{value}"',
        src: unattested(),
      },
      {
        type: 'subject_changed',
        t: '{actor} a schimbat (subiectul|numele grupului) în "{value}"',
        src: unattested(),
      },
      {
        type: 'icon_changed',
        t: '(Ați|Ai) (schimbat|șters) (imaginea|pictograma|fotografia) (acestui grup|grupului)',
        you: 'actor',
        src: derived('you-form of "a schimbat imaginea acestui grup"'),
      },
      {
        type: 'icon_changed',
        t: '{actor} a (schimbat|șters) (imaginea|pictograma|fotografia) (acestui grup|grupului)',
        src: unattested(),
      },
      {
        type: 'description_changed',
        t: '(Ați|Ai) (schimbat|șters) descrierea grupului',
        you: 'actor',
        src: derived('you-form of "a schimbat descrierea grupului"'),
      },
      { type: 'description_changed', t: '{actor} a (schimbat|șters) descrierea grupului', src: unattested() },
      {
        type: 'invite_link_reset',
        t: '(Ați|Ai) resetat linkul…',
        you: 'actor',
        src: derived('you-form of "a resetat linkul de invitație"'),
      },
      { type: 'invite_link_reset', t: '{actor} a resetat linkul…', src: unattested() },
      {
        type: 'settings_changed',
        t: '(Ați|Ai) schimbat setările…',
        you: 'actor',
        src: derived('you-form of "a schimbat setările"'),
      },
      { type: 'settings_changed', t: '{actor} a schimbat setările…', src: unattested() },
      {
        type: 'created',
        t: '(Ați|Ai) creat grupul "{value}"',
        you: 'actor',
        src: derived('you-form of "a creat grupul"'),
      },
      {
        type: 'created',
        t: '(Ați|Ai) creat acest grup',
        you: 'actor',
        src: derived('you-form of "a creat acest grup"'),
      },
      { type: 'created', t: '{actor} a creat grupul "{value}"', src: unattested() },
      { type: 'created', t: '{actor} a creat acest grup', src: unattested() },
      {
        type: 'joined_via_link',
        t: '(V-ați|Te-ai) alăturat… link…',
        you: 'actor',
        src: derived('you-form of "s-a alăturat … linkul"'),
      },
      { type: 'joined_via_link', t: '{actor} s-a alăturat… link…', src: unattested() },
      {
        type: 'admin_promoted',
        t: '(Acum sunteți|Acum ești|Sunteți acum|Ești acum) (un )?administrator',
        you: 'targets',
        src: unattested(),
      },
      { type: 'admin_promoted', t: '{targets} (este|sunt) acum (un )?administrator(i)?', src: unattested() },
      { type: 'admin_demoted', t: 'Nu mai (sunteți|ești) administrator', you: 'targets', src: unattested() },
      { type: 'admin_demoted', t: '{targets} nu mai (este|sunt) administrator(i)?', src: unattested() },
      {
        type: 'added',
        t: '{actor} (v-a|te-a) adăugat',
        you: 'targets',
        src: derived('"a adăugat" with the owner as target'),
      },
      {
        type: 'added',
        t: '(Ați|Ai) adăugat {targets}',
        you: 'actor',
        src: derived('you-form of "a adăugat"'),
      },
      { type: 'added', t: '{actor} a adăugat {targets}', src: unattested() },
      {
        type: 'removed',
        t: '{actor} (v-a|te-a) eliminat',
        you: 'targets',
        src: derived('"a eliminat" with the owner as target'),
      },
      {
        type: 'removed',
        t: '(Ați|Ai) eliminat {targets}',
        you: 'actor',
        src: derived('you-form of "a eliminat"'),
      },
      { type: 'removed', t: '{actor} a eliminat {targets}', src: unattested() },
      { type: 'left', t: '(Ați|Ai) ieșit( din grup)?', you: 'actor', src: derived('you-form of "a ieșit"') },
      { type: 'left', t: '{actor} (a ieșit( din grup)?|a părăsit grupul)', src: unattested() },
    ],
    deleted: ['Acest mesaj a fost șters', 'Ați șters acest mesaj'],
    fileNames: [],
  },
  {
    id: 'tr',
    you: ['Siz', 'siz', 'Sizi', 'sizi', 'Sen', 'sen', 'Seni', 'seni'],
    and: ['ve'],
    system: [
      { type: 'encryption_notice', t: /uçtan uca şifrel/i, src: `${MTLN_16}; ${WJ}` },
      { type: 'security_code_changed', t: '{targets} ile aranızdaki güvenlik kodu değişti…', src: WJ },
      { type: 'number_changed', t: '{actor}, {value} numarasına geçti', src: unattested() },
      { type: 'number_changed', t: '{actor}(,)? (telefon )?numarasını… değiştirdi…', src: unattested() },
      {
        type: 'subject_changed',
        t: '"{old}" olan grup adını "{value}" olarak değiştirdiniz',
        you: 'actor',
        src: derived('you-form of "grup adını … olarak değiştirdi"'),
      },
      {
        type: 'subject_changed',
        t: 'Grup adını "{value}" olarak değiştirdiniz',
        you: 'actor',
        src: derived('you-form of "grup adını … olarak değiştirdi"'),
      },
      {
        type: 'subject_changed',
        t: '{actor}(,)? "{old}" olan grup adını "{value}" olarak değiştirdi',
        src: unattested(),
      },
      { type: 'subject_changed', t: '{actor}(,)? grup adını "{value}" olarak değiştirdi', src: MTLN_16 },
      {
        type: 'icon_changed',
        t: 'Bu grubun simgesini (değiştirdiniz|sildiniz)',
        you: 'actor',
        src: derived('you-form of "bu grubun simgesini değiştirdi"'),
      },
      { type: 'icon_changed', t: '{actor}(,)? bu grubun simgesini (değiştirdi|sildi)', src: MTLN_16 },
      {
        type: 'description_changed',
        t: 'Grup açıklamasını (değiştirdiniz|sildiniz)',
        you: 'actor',
        src: derived('you-form of "grup açıklamasını değiştirdi"'),
      },
      {
        type: 'description_changed',
        t: '{actor}(,)? grup açıklamasını (değiştirdi|sildi)',
        src: unattested(),
      },
      {
        type: 'invite_link_reset',
        t: 'Bu grubun davet bağlantısını sıfırladınız',
        you: 'actor',
        src: derived('you-form of "bu grubun davet bağlantısını sıfırladı"'),
      },
      {
        type: 'invite_link_reset',
        t: '{actor}(,)? bu grubun davet bağlantısını sıfırladı',
        src: unattested(),
      },
      {
        type: 'settings_changed',
        t: '(Bu )?grubun ayarlarını… değiştirdiniz…',
        you: 'actor',
        src: derived('you-form of "grubun ayarlarını … değiştirdi"'),
      },
      { type: 'settings_changed', t: '{actor}(,)? (bu )?grubun ayarlarını… değiştirdi…', src: unattested() },
      {
        type: 'created',
        t: '"{value}" grubunu oluşturdunuz',
        you: 'actor',
        src: derived('you-form of "grubunu oluşturdu"'),
      },
      {
        type: 'created',
        t: 'Bu grubu (siz )?oluşturdunuz',
        you: 'actor',
        src: derived('you-form of "bu grubu oluşturdu"'),
      },
      { type: 'created', t: '{actor}(,)? "{value}" grubunu oluşturdu', src: unattested() },
      { type: 'created', t: '{actor} bu grubu oluşturdu', src: MTLN_16 },
      {
        type: 'joined_via_link',
        t: '(Bu grubun )?davet bağlantısı… katıldınız',
        you: 'actor',
        src: derived('you-form of "davet bağlantısı ile katıldı"'),
      },
      { type: 'joined_via_link', t: '{actor}(,)? (bu grubun )?davet bağlantısı… katıldı', src: unattested() },
      { type: 'admin_demoted', t: 'Artık yönetici değilsiniz', you: 'targets', src: unattested() },
      { type: 'admin_demoted', t: '{targets} artık yönetici değil', src: unattested() },
      { type: 'admin_promoted', t: 'Artık (bir )?yöneticisiniz', you: 'targets', src: unattested() },
      { type: 'admin_promoted', t: '{targets} artık (bir )?yönetici', src: unattested() },
      { type: 'added', t: '{actor} (sizi|seni) ekledi', you: 'targets', src: MTLN_16 },
      {
        type: 'added',
        t: '{targets} kişisini eklediniz',
        you: 'actor',
        src: derived('you-form of "kişisini ekledi"'),
      },
      {
        type: 'added',
        t: '{actor}, {targets} kişisini ekledi',
        src: unattested('the brief of issue 11 quotes "X, Y kişisini ekledi"'),
      },
      {
        type: 'removed',
        t: '{actor} (sizi|seni) çıkardı',
        you: 'targets',
        src: derived('"kişisini çıkardı" with the owner as target'),
      },
      {
        type: 'removed',
        t: '{targets} kişisini çıkardınız',
        you: 'actor',
        src: derived('you-form of "kişisini çıkardı"'),
      },
      { type: 'removed', t: '{actor}, {targets} kişisini çıkardı', src: unattested() },
      { type: 'left', t: '(Gruptan )?ayrıldınız', you: 'actor', src: derived('you-form of "ayrıldı"') },
      { type: 'left', t: '{actor} (gruptan )?ayrıldı', src: unattested() },
    ],
    deleted: ['Bu mesaj silindi', 'Bu mesajı sildiniz'],
    fileNames: [],
  },
  {
    id: 'ru',
    you: ['Вы', 'вы', 'Вас', 'вас', 'Вам', 'вам'],
    and: ['и'],
    system: [
      {
        type: 'encryption_notice',
        t: /защищены сквозным шифрованием/i,
        src: `${WJ}; ${wj('languages/russian_android.txt')}`,
      },
      {
        type: 'security_code_changed',
        t: 'Ваш код безопасности с контактом {targets} изменился…',
        src: `${WJ}; ${wj('ios/WhatsApp Chat - Elon Musk (RU).txt')}`,
      },
      {
        type: 'number_changed',
        t: `{actor} (сменил|изменил)${RU_A} номер( телефона)? на {value}`,
        src: unattested(),
      },
      { type: 'number_changed', t: `{actor} (сменил|изменил)${RU_A} номер…`, src: unattested() },
      {
        type: 'subject_changed',
        t: 'Вы изменили (тему|название группы) с "{old}" на "{value}"',
        you: 'actor',
        src: derived('you-form of "изменил(-а) тему с … на …"'),
      },
      {
        type: 'subject_changed',
        t: 'Вы изменили (тему|название группы) на "{value}"',
        you: 'actor',
        src: derived('you-form of "изменил(-а) тему на …"'),
      },
      {
        type: 'subject_changed',
        t: `{actor} изменил${RU_A} (тему|название группы) с "{old}" на "{value}"`,
        src: unattested(),
      },
      {
        type: 'subject_changed',
        t: `{actor} изменил${RU_A} (тему|название группы) на "{value}"`,
        src: unattested(),
      },
      {
        type: 'icon_changed',
        t: 'Вы (изменили|удалили) (изображение|картинку|фото|значок) (этой )?группы',
        you: 'actor',
        src: derived('you-form of "изменил(-а) изображение группы"'),
      },
      {
        type: 'icon_changed',
        t: `{actor} (изменил|удалил)${RU_A} (изображение|картинку|фото|значок) (этой )?группы`,
        src: unattested(),
      },
      {
        type: 'description_changed',
        t: 'Вы (изменили|удалили) описание группы',
        you: 'actor',
        src: derived('you-form of "изменил(-а) описание группы"'),
      },
      {
        type: 'description_changed',
        t: `{actor} (изменил|удалил)${RU_A} описание группы`,
        src: unattested(),
      },
      {
        type: 'invite_link_reset',
        t: 'Вы сбросили ссылку…',
        you: 'actor',
        src: derived('you-form of "сбросил(-а) ссылку-приглашение"'),
      },
      { type: 'invite_link_reset', t: `{actor} сбросил${RU_A} ссылку…`, src: unattested() },
      {
        type: 'settings_changed',
        t: 'Вы изменили настройки…',
        you: 'actor',
        src: derived('you-form of "изменил(-а) настройки"'),
      },
      { type: 'settings_changed', t: `{actor} изменил${RU_A} настройки…`, src: unattested() },
      {
        type: 'created',
        t: 'Вы создали группу "{value}"',
        you: 'actor',
        src: derived('you-form of "создал(-а) группу"'),
      },
      {
        type: 'created',
        t: 'Вы создали эту группу',
        you: 'actor',
        src: derived('you-form of "создал(-а) эту группу"'),
      },
      {
        type: 'created',
        t: `{actor} создал${RU_A} группу "{value}"`,
        src: 'https://github.com/akmalghafforov/book-keeper/blob/2e4d1dc628dce86283125a9b5d8ef1caf1993662/tests/Feature/WhatsAppZipImportTest.php',
      },
      { type: 'created', t: `{actor} создал${RU_A} эту группу`, src: unattested() },
      {
        type: 'joined_via_link',
        t: 'Вы (присоединились|вступили)… ссылк…',
        you: 'actor',
        src: derived('you-form of "присоединился(-ась) … по ссылке"'),
      },
      {
        type: 'joined_via_link',
        t: `{actor} (присоединился|присоединилась|присоединился\\(-ась\\)|вступил${RU_A})… ссылк…`,
        src: unattested(),
      },
      {
        type: 'admin_promoted',
        t: '(Вы теперь|Теперь вы) (админ|администратор)',
        you: 'targets',
        src: unattested(),
      },
      { type: 'admin_promoted', t: '{targets} (теперь|сейчас) (админ|администратор)(ы)?', src: unattested() },
      { type: 'admin_demoted', t: 'Вы больше не (админ|администратор)', you: 'targets', src: unattested() },
      { type: 'admin_demoted', t: '{targets} больше не (админ|администратор)(ы)?', src: unattested() },
      {
        type: 'added',
        t: `{actor} добавил${RU_A} вас`,
        you: 'targets',
        src: derived('"добавил(-а)" with the owner as target'),
      },
      {
        type: 'added',
        t: `Вы добавили ${RU_WHO}{targets}`,
        you: 'actor',
        src: derived('you-form of "добавил(-а) контакт …"'),
      },
      {
        type: 'added',
        t: `{actor} добавил${RU_A} ${RU_WHO}{targets}`,
        src: wj('chats_unique/WhatsApp Chat - Group_NoMedia 2019 RU.txt'),
      },
      {
        type: 'removed',
        t: `{actor} удалил${RU_A} вас`,
        you: 'targets',
        src: derived('"удалил(-а)" with the owner as target'),
      },
      {
        type: 'removed',
        t: `Вы удалили ${RU_WHO}{targets}`,
        you: 'actor',
        src: derived('you-form of "удалил(-а)"'),
      },
      { type: 'removed', t: `{actor} удалил${RU_A} ${RU_WHO}{targets}`, src: unattested() },
      {
        type: 'left',
        t: 'Вы (вышли( из группы)?|покинули группу)',
        you: 'actor',
        src: derived('you-form of "вышел(-а)"'),
      },
      {
        type: 'left',
        t: `{actor} (вышел(\\(а\\)|\\(-а\\)|\\(-ла\\))?|вышла|покинул${RU_A} группу)( из группы)?`,
        src: unattested(),
      },
    ],
    deleted: ['Данное сообщение удалено', 'Вы удалили данное сообщение', 'Вы удалили это сообщение'],
    fileNames: ['Чат WhatsApp с контактом ', 'Чат WhatsApp с '],
  },
  {
    id: 'ar',
    you: ['أنت', 'انت'],
    and: ['و'],
    system: [
      { type: 'encryption_notice', t: /مشفرة تمام/, src: `${WJ}; ${wj('languages/arabic_ios.txt')}` },
      {
        type: 'security_code_changed',
        t: `تغ${AR_YR} رمز أمانك (المُستخدَم|المستخدم) مع {targets}(. …)?`,
        src: WJ,
      },
      { type: 'number_changed', t: `{actor} غ${AR_YR}(ت)? (رقمه|رقمها) إلى {value}`, src: unattested() },
      { type: 'number_changed', t: `{actor} غ${AR_YR}(ت)? رقم (هاتفه|هاتفها)…`, src: unattested() },
      {
        type: 'subject_changed',
        t: `غ${AR_YR}ت (اسم|موضوع) المجموعة من "{old}" إلى "{value}"`,
        you: 'actor',
        src: derived('you-form of "غيّر اسم المجموعة من … إلى …"'),
      },
      {
        type: 'subject_changed',
        t: `غ${AR_YR}ت (اسم|موضوع) المجموعة إلى "{value}"`,
        you: 'actor',
        src: derived('you-form of "غيّر اسم المجموعة إلى …"'),
      },
      {
        type: 'subject_changed',
        t: `{actor} غ${AR_YR}(ت)? (اسم|موضوع) المجموعة من "{old}" إلى "{value}"`,
        src: unattested(),
      },
      {
        type: 'subject_changed',
        t: `{actor} غ${AR_YR}(ت)? (اسم|موضوع) المجموعة إلى "{value}"`,
        src: unattested(),
      },
      {
        type: 'icon_changed',
        t: `(غ${AR_YR}ت|حذفت) صورة (هذه )?المجموعة`,
        you: 'actor',
        src: derived('you-form of "غيّر صورة هذه المجموعة"'),
      },
      { type: 'icon_changed', t: `{actor} (غ${AR_YR}(ت)?|حذف(ت)?) صورة (هذه )?المجموعة`, src: unattested() },
      {
        type: 'description_changed',
        t: `(غ${AR_YR}ت|حذفت) وصف المجموعة`,
        you: 'actor',
        src: derived('you-form of "غيّر وصف المجموعة"'),
      },
      { type: 'description_changed', t: `{actor} (غ${AR_YR}(ت)?|حذف(ت)?) وصف المجموعة`, src: unattested() },
      {
        type: 'invite_link_reset',
        t: 'أعدت تعيين رابط…',
        you: 'actor',
        src: derived('you-form of "أعاد تعيين رابط الدعوة"'),
      },
      { type: 'invite_link_reset', t: '{actor} أعاد(ت)? تعيين رابط…', src: unattested() },
      {
        type: 'settings_changed',
        t: `غ${AR_YR}ت إعدادات…`,
        you: 'actor',
        src: derived('you-form of "غيّر إعدادات المجموعة"'),
      },
      { type: 'settings_changed', t: `{actor} غ${AR_YR}(ت)? إعدادات…`, src: unattested() },
      {
        type: 'created',
        t: 'أنشأت (المجموعة|مجموعة) "{value}"',
        you: 'actor',
        src: derived('you-form of "أنشأ المجموعة"'),
      },
      {
        type: 'created',
        t: 'أنشأت هذه المجموعة',
        you: 'actor',
        src: derived('you-form of "أنشأ هذه المجموعة"'),
      },
      { type: 'created', t: '{actor} أنشأ(ت)? (المجموعة|مجموعة) "{value}"', src: unattested() },
      { type: 'created', t: '{actor} أنشأ(ت)? هذه المجموعة', src: unattested() },
      {
        type: 'joined_via_link',
        t: '(لقد )?انضممت… رابط…',
        you: 'actor',
        src: derived('you-form of "انضم باستخدام رابط الدعوة"'),
      },
      { type: 'joined_via_link', t: '{actor} انضم(ت)?… رابط…', src: unattested() },
      { type: 'admin_promoted', t: `(أصبحت|أنت الآن) ${AR_ADMIN}`, you: 'targets', src: unattested() },
      {
        type: 'admin_promoted',
        t: `{targets} (أصبح|أصبحت|الآن|هو الآن|هي الآن) ${AR_ADMIN}`,
        src: unattested(),
      },
      { type: 'admin_demoted', t: `(لم تعد|أنت لم تعد) ${AR_ADMIN}`, you: 'targets', src: unattested() },
      { type: 'admin_demoted', t: `{targets} لم (يعد|تعد) ${AR_ADMIN}`, src: unattested() },
      {
        type: 'added',
        t: '{actor} (أضافك|أضافتك)',
        you: 'targets',
        src: derived('"أضاف" with the owner as target'),
      },
      { type: 'added', t: 'أضفت {targets}', you: 'actor', src: derived('you-form of "أضاف"') },
      { type: 'added', t: '{actor} أضاف(ت)? {targets}', src: unattested() },
      {
        type: 'removed',
        t: '{actor} (أزالك|أزالتك)',
        you: 'targets',
        src: derived('"أزال" with the owner as target'),
      },
      { type: 'removed', t: 'أزلت {targets}', you: 'actor', src: derived('you-form of "أزال"') },
      { type: 'removed', t: '{actor} أزال(ت)? {targets}', src: unattested() },
      { type: 'left', t: '(لقد )?غادرت( المجموعة)?', you: 'actor', src: derived('you-form of "غادر"') },
      { type: 'left', t: '{actor} غادر(ت)?( المجموعة)?', src: unattested() },
    ],
    deleted: ['تم حذف هذه الرسالة', 'أنت حذفت هذه الرسالة'],
    fileNames: [],
  },
];

/** Locale hints (command line) whose phones write month first; every other known hint writes day first. */
export const MONTH_FIRST_HINTS = ['en-US', 'en-PH', 'en-CA'];
export const DAY_FIRST_HINTS = [
  'en-GB',
  'en-AU',
  'en-IN',
  'en-IE',
  'fr',
  'es',
  'it',
  'de',
  'pt',
  'nl',
  'pl',
  'ro',
  'tr',
  'ru',
  'ar',
];

// ---- media placeholders (every language at once: a file may mix them after a phone language change) ----

const ATTACHED_ANDROID = [
  'file attached',
  'fichier joint',
  'Datei angehängt',
  'archivo adjunto',
  'file allegato',
  'arquivo anexado',
  'bestand bijgevoegd',
];
const ATTACHED_IOS = [
  'attached',
  'adjunto',
  'pièce jointe',
  'allegato',
  'Anhang',
  'anexado',
  'anexo',
  'bijlage',
  'bijgevoegd',
];

const alt = (xs: string[]) => xs.map(escapeRe).join('|');

/** Android: `NAME (file attached)`, documents `NAME • 3 pages (file attached)`; a caption may follow. */
export const ANDROID_ATTACHED = new RegExp(
  `^(?<name>[^\\n]+?)(?<doc>\\s+•\\s+[^\\n()]*?)?\\s+\\((?:${alt(ATTACHED_ANDROID)})\\)`,
  'iu',
);
/** iOS: `<attached: 00000042-PHOTO-….jpg>` anywhere in the text (documents put their title before it). */
export const IOS_ATTACHED = new RegExp(`<(?:${alt(ATTACHED_IOS)})\\s*:\\s*(?<name>[^>\\n]+?)\\s*>`, 'iu');
/** Older iOS: `2015-08-04-PHOTO-00004762.jpg <attached>`. */
export const IOS_OLD_ATTACHED = new RegExp(`^(?<name>\\S+\\.\\w{2,5})\\s+<(?:${alt(ATTACHED_IOS)})>`, 'iu');

/** Android, media left out of the export. */
export const ANDROID_OMITTED =
  /^<\s*(media|médias|medias|multimedia|multimédia|archivo|mídia|midia|medien|medios)\s+(omitted|omis|omitid[oa]|ocult[ao]|omitid[ao]s|ausgeschlossen|ausgelassen|weggelassen|omess[io]|eliminati|weggelaten)\s*>$/iu;

const OMITTED_NOUNS: [string, MessageKind][] = [
  ['image|imagen|imagem|immagine|bild|afbeelding|foto|photo', 'image'],
  ['video|vidéo|vídeo', 'video'],
  ['audio|áudio', 'audio'],
  ['sticker|autocollant|figurinha|adesivo', 'sticker'],
  ['gif', 'gif'],
  ['document|documento|dokument', 'document'],
  [
    'contact card|tarjeta de contacto|carte de contact|fiche contact|kontaktkarte|scheda contatto|scheda del contatto|cartão de contato|cartão de contacto|contactkaart|contact',
    'contact',
  ],
];
const OMITTED_VERBS =
  'omitted|omitid[oa]|absente?|omise?|weggelassen|ausgelassen|entfernt|omess[oa]|ocultad[oa]|oculto|weggelaten';
/** iOS, media left out: `image omitted`, `imagen omitida`, `Bild weggelassen`… */
export const IOS_OMITTED = new RegExp(
  `^(?:${OMITTED_NOUNS.map(([n], i) => `(?<n${i}>${n})`).join('|')})\\s+(?:${OMITTED_VERBS})$`,
  'iu',
);
export function omittedKind(m: RegExpExecArray): MessageKind {
  for (let i = 0; i < OMITTED_NOUNS.length; i++) if (m.groups?.[`n${i}`]) return OMITTED_NOUNS[i]![1];
  return 'other';
}

/** Kind of an attachment from its file name: WhatsApp names say it (`IMG-`, `-PHOTO-`), else the extension. */
export function kindFromFileName(name: string): MessageKind {
  const n = name.toUpperCase();
  if (/(^|-)STK-|-STICKER-/.test(n)) return 'sticker';
  if (/-GIF-|^GIF-/.test(n)) return 'gif';
  if (/^PTT-|^AUD-|-AUDIO-/.test(n)) return 'audio';
  if (/^VID-|-VIDEO-/.test(n)) return 'video';
  if (/^IMG-|-PHOTO-/.test(n)) return 'image';
  const ext = n.slice(n.lastIndexOf('.') + 1);
  if (['JPG', 'JPEG', 'PNG', 'HEIC', 'HEIF', 'BMP'].includes(ext)) return 'image';
  if (ext === 'WEBP') return 'sticker';
  if (ext === 'GIF') return 'gif';
  if (['MP4', 'MOV', '3GP', 'MKV', 'AVI', 'WEBM'].includes(ext)) return 'video';
  if (['OPUS', 'OGG', 'M4A', 'MP3', 'AAC', 'AMR', 'WAV'].includes(ext)) return 'audio';
  if (ext === 'VCF') return 'contact';
  return 'document';
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  heic: 'image/heic',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  '3gp': 'video/3gpp',
  opus: 'audio/ogg',
  ogg: 'audio/ogg',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  amr: 'audio/amr',
  vcf: 'text/vcard',
  pdf: 'application/pdf',
  txt: 'text/plain',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};
export function mimeFromFileName(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? null : (MIME[name.slice(dot + 1).toLowerCase()] ?? null);
}

// ---- compiled system rules ----

export interface CompiledRule extends SystemRule {
  re: RegExp;
  locale: LocaleTable;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function compileTemplate(t: string): RegExp {
  let re = '';
  const parts = t.split(/(\\.|\{\w+\}|"|'|…| |\(|\)\?|\)|\|)/);
  for (const p of parts) {
    if (!p) continue;
    if (p.length === 2 && p[0] === '\\') re += escapeRe(p[1]!);
    else if (p === '{actor}') re += '(?<actor>.+?)';
    else if (p === '{targets}') re += '(?<targets>.+?)';
    else if (p === '{value}') re += '(?<value>.*?)';
    else if (p === '{old}') re += '(?<old>.*?)';
    else if (p === '"') re += '\\s*["“”«»„]\\s*';
    else if (p === "'") re += "['’]";
    else if (p === '…') re += '.*';
    else if (p === ' ') re += '\\s+';
    else if (p === '(') re += '(?:';
    else if (p === ')' || p === ')?' || p === '|') re += p;
    // Romanian is written with comma-below ș ț or, on older keyboards, cedilla ş ţ.
    else re += escapeRe(p).replace(/[șş]/g, '[șş]').replace(/[țţ]/g, '[țţ]');
  }
  // Optional spaces around a group that may be absent ("(the )?group") are already inside the group.
  return new RegExp(`^${re}\\s*\\.?$`, 'iu');
}

export const COMPILED: CompiledRule[] = LOCALES.flatMap((locale) =>
  locale.system.map((r) => ({ ...r, locale, re: typeof r.t === 'string' ? compileTemplate(r.t) : r.t })),
);

export const DELETED = new RegExp(
  `^(?:${LOCALES.flatMap((l) => l.deleted)
    .map(escapeRe)
    .join('|')})\\.?$`,
  'iu',
);

/** `WhatsApp Chat with X.txt` → `X` in every known language; null when the name is not a chat name. */
export function subjectFromFileName(base: string): string | null {
  const stem = base.replace(/\.(txt|zip)$/i, '');
  for (const l of LOCALES) {
    for (const prefix of l.fileNames) {
      if (stem.toLowerCase().startsWith(prefix.toLowerCase()) && stem.length > prefix.length) {
        return stem.slice(prefix.length).trim();
      }
    }
  }
  return null;
}
