/**
 * Edge features of the user–community graph, as the method defines them (PinSAGE-style weighting):
 *   w_us = log(1 + t_us) / sqrt(c_u · c_s + ε)   with t_us = posts + comments,
 *   f_us = comments / max(t_us, 1)               (comment fraction),
 * where c_u is the user's total activity and c_s the community's total activity. Dividing by both degrees
 * keeps power users and mega-communities (r/AskReddit) from dominating attention.
 */

/** ε in the weight's denominator: only guards against zero degrees, so 1 activity unit is plenty. */
export const EDGE_WEIGHT_EPSILON = 1;

export function edgeWeight(activity: number, userActivity: number, communityActivity: number, epsilon = EDGE_WEIGHT_EPSILON): number {
  return Math.log1p(activity) / Math.sqrt(userActivity * communityActivity + epsilon);
}

export function commentFraction(posts: number, comments: number): number {
  return comments / Math.max(posts + comments, 1);
}
