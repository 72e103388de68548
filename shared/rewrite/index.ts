/** Prompt rewriting: templates, output hygiene, the subject guard, example selection, and the entry point. */
export { DEFAULT_K, GUARD_RETRY_TEMPERATURE, methodFor, REWRITE_PROTOCOLS, rewritePrompt, RewriteInputError, type RewriteOptions, type RewriteProtocol } from './rewrite.ts';
export { PAPER_TEMPLATES } from './paper-templates.ts';
export { ECHO_NOTE, guardNote, templateRef, TEMPLATES, type RewriteTemplate, type TemplateInput } from './templates.ts';
export { capWords, cleanAnswer, REWRITE_MAX_WORDS, sameText, type CleanedAnswer } from './hygiene.ts';
export { extractSubjects, MAX_SUBJECTS, missingSubjects, nounChunks } from './subjects.ts';
export { bm25Rank, bm25Scores, rankScores, type Bm25Options, type Ranked } from './bm25.ts';
export { recentExamples, retrieveExamples, usableHistory, type Embed, type Retrieved } from './examples.ts';
export { contentTerms, normalizeTerm, STOPWORDS, termForms } from './terms.ts';
export { detectSyntax, hasSyntax, restorePrompt, restoringStream, splitPrompt, syntaxFree, syntaxNote, type ResolvedSyntax, type SyntaxSplit } from './syntax.ts';
