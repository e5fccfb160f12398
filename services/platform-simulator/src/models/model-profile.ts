// Simulated skill. Size sets the base (≈0.30 at 1B, 0.45 at 3B, 0.59 at 8B, capped at 0.93); in-context
// examples add 0.05; LoRA on N records closes the gap to the teacher along 1 − e^(−N/saturation); the teacher
// sits at 0.95. Skill is the probability of giving the teacher's answer to a known prompt.
import { type ChatMessage } from '@flywheel/platform-clients';

export const TEACHER_SKILL = 0.95;
export const ICL_BONUS = 0.05;

export interface CustomizedModel {
  baseModel: string;
  trainingRecords: number;
}

/** Parameters in billions read from the model id (`…-1b-…` → 1); 7 when the name says nothing. */
export function parameterBillions(model: string): number {
  const name = model.slice(model.lastIndexOf('/') + 1);
  const m = /(?:^|[^\d.])(\d+(?:\.\d+)?)b(?![a-z])/i.exec(name);
  return m ? Number(m[1]) : 7;
}

export function sizeSkill(billions: number): number {
  return Math.min(0.93, Math.max(0.1, 0.3 + 0.14 * Math.log(Math.max(billions, 0.1))));
}

export function loraSkill(base: number, trainingRecords: number, saturation: number): number {
  return base + (TEACHER_SKILL - base) * (1 - Math.exp(-trainingRecords / saturation));
}

export function hasInContextExamples(messages: readonly Pick<ChatMessage, 'role' | 'content'>[]): boolean {
  return messages.some(
    (m) => m.role === 'system' && /\bexamples?\b/i.test(m.content ?? '') && (m.content ?? '').length > 200,
  );
}

export interface SkillContext {
  teacherModel: string;
  saturation: number;
  customized: (model: string) => CustomizedModel | undefined;
}

export function modelSkill(model: string, ctx: SkillContext): number {
  if (model === ctx.teacherModel) return TEACHER_SKILL;
  const custom = ctx.customized(model);
  if (custom) return loraSkill(modelSkill(custom.baseModel, ctx), custom.trainingRecords, ctx.saturation);
  return sizeSkill(parameterBillions(model));
}
