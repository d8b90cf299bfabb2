/* The reduced theory of the paper: adiabatic elimination of the spin
 * (Eqs. 10-14, Appendix B 1-7), Maxwell-Bloch saturation (Eq. 15, B96-B111),
 * the Fokker-Planck / Langevin phase-space picture (Eqs. 16-20, B120-B135)
 * and the design window of Appendix C (C1-C10).
 *
 * Every formula lives in exactly one function below, with its equation
 * number; the comparison module, the `theory` and `compare` commands and the
 * plots call these functions.  All take model parameters that have been
 * through pm_params_derive (gamma_up, gamma_down, g, gamma_m, n_th set);
 * the Fock cutoff N is not used.  Units: rates and frequencies in 1/s
 * (rad/s), temperatures in K, occupations dimensionless.
 *
 * Sign of the Lamb shift (erratum 3 of physics-notes.md): see
 * pm_reduced_lamb_shift; the exact Liouvillian decides it (tests/drivers/test_compare.c).
 *
 * Phase-space conventions: z = (a + a^dag)/sqrt(2), p = (a - a^dag)/(i sqrt(2)),
 * r^2 = z^2 + p^2.  The Fokker-Planck equation is the paper's Wigner-function
 * equation (16) with n ~ r^2/2 (Eq. 18); for the symmetric (Wigner) ordering
 * the exact relation is <r^2>/2 = <a^dag a> + 1/2 (erratum 4), so the FP
 * occupation <n>_FP (B133, r^2/2) is to be compared with <n>_exact + 1/2. */
#ifndef PHONOMASER_REDUCED_H
#define PHONOMASER_REDUCED_H

#include "phonomaser/core/constants.h"
#include "phonomaser/core/params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- adiabatic elimination (Eqs. 10-14) -------------------------------- */

/* G(delta) = g^2 gamma_2 / (gamma_2^2 + delta^2)   [1/s]   (Eq. 18, B123) */
double pm_reduced_G(const pm_params *p);
/* Gamma_-(delta) = 2 G p_down, spin-induced downward rate  [1/s]  (Eq. 11, B85) */
double pm_reduced_gamma_minus(const pm_params *p);
/* Gamma_+(delta) = 2 G p_up, spin-induced upward rate  [1/s]      (Eq. 11, B85) */
double pm_reduced_gamma_plus(const pm_params *p);
/* Gamma_opt = Gamma_- - Gamma_+ = -2 G S  [1/s]                    (Eq. 13, B87) */
double pm_reduced_gamma_opt(const pm_params *p);
/* gamma_eff^(n) = gamma_m + Gamma_opt, phonon-number damping [1/s]  (Eq. 12, B91);
 * the amplitude <a> decays at gamma_eff / 2 (B112). */
double pm_reduced_gamma_eff(const pm_params *p);
/* S_th(delta) = gamma_m (gamma_2^2 + delta^2) / (2 g^2 gamma_2)      (Eq. 14, B94);
 * +Inf for g = 0. */
double pm_reduced_S_th(const pm_params *p);
/* |Gamma_opt|_max = 2 g^2 / gamma_2, gain at full inversion, delta = 0  [1/s]  (B114) */
double pm_reduced_gamma_opt_max(const pm_params *p);
/* Lamb shift delta_omega [rad/s]: the renormalised mechanical frequency is
 * omega_m + delta_omega (Eq. 10).  Sign fixed by the exact Liouvillian, NOT
 * the paper's B95 (erratum 3):  delta_omega = + g^2 S delta / (gamma_2^2 + delta^2). */
double pm_reduced_lamb_shift(const pm_params *p);
/* n_ss = (gamma_m n_th + Gamma_+) / (gamma_m + Gamma_- - Gamma_+), below
 * threshold (B92); +Inf at or above threshold (gamma_eff <= 0). */
double pm_reduced_n_ss(const pm_params *p);

/* ---- beyond the rotating-wave approximation (Eq. 5, physics-notes.md) ---
 *
 * Leading order in g of the adiabatic elimination for the dressed-basis
 * model of Eq. (5), lab frame,
 *   H = omega_m a^dag a + (omega_tilde/2) sigma_z
 *       + g0 (a + a^dag)(cos(theta) sigma_z + sin(theta) sigma_x),
 * g = g0 sin(theta), omega_tilde = omega_m + delta, with the dissipators of
 * Eqs. (8)-(9).  The rates are the noise spectrum of the coupling operator
 * of the free, damped dressed spin at -+omega_m (derivation in reduced.c).
 * With L(x) = gamma_2/(gamma_2^2 + x^2):
 *   G_cr    = g^2 L(omega_tilde + omega_m)     counter-rotating analogue of G(delta)
 *   Gamma_z = 2 (g0 cos theta)^2 (1 - S^2) gamma_1/(gamma_1^2 + omega_m^2)
 *   Gamma_- = Gamma_-(RWA) + 2 G_cr p_up   + Gamma_z
 *   Gamma_+ = Gamma_+(RWA) + 2 G_cr p_down + Gamma_z
 * Dropping G_cr and Gamma_z (gamma_2 << omega_tilde + omega_m, theta = pi/2)
 * gives back Eqs. (11)-(14) and (B92).  They use p->theta whatever p->model
 * is (theta = pi/2, its default, for model = jc).  Validity: those of the RWA
 * elimination (B8) and g0 sqrt(n+1) << gamma_1, gamma_2; they do NOT need
 * gamma_2 << omega_tilde + omega_m. */

/* omega_tilde + omega_m = 2 omega_m + delta [rad/s]: the frequency mismatch of the
 * counter-rotating processes (a sigma_-, a^dag sigma_+); the RWA needs gamma_2 and
 * g sqrt(n+1) << it */
double pm_reduced_beyond_rwa_omega_sum(const pm_params *p);
/* G_cr = g^2 gamma_2 / (gamma_2^2 + (omega_tilde + omega_m)^2)  [1/s] */
double pm_reduced_beyond_rwa_G_counter(const pm_params *p);
/* Gamma_z = 2 (g0 cos theta)^2 (1 - S^2) gamma_1 / (gamma_1^2 + omega_m^2)  [1/s]:
 * longitudinal coupling, adds equally to Gamma_- and Gamma_+ (heats, does not
 * damp); 0 at theta = pi/2 and at S = +-1. */
double pm_reduced_beyond_rwa_gamma_z(const pm_params *p);
/* Gamma_- = 2 g^2 [p_down L(delta) + p_up L(omega_tilde + omega_m)] + Gamma_z  [1/s] */
double pm_reduced_beyond_rwa_gamma_minus(const pm_params *p);
/* Gamma_+ = 2 g^2 [p_up L(delta) + p_down L(omega_tilde + omega_m)] + Gamma_z  [1/s] */
double pm_reduced_beyond_rwa_gamma_plus(const pm_params *p);
/* gamma_eff = gamma_m + Gamma_- - Gamma_+ = gamma_m - 2 S (G(delta) - G_cr)  [1/s] */
double pm_reduced_beyond_rwa_gamma_eff(const pm_params *p);
/* S_th = gamma_m / (2 (G(delta) - G_cr)), the root of gamma_eff(S) = 0 (Gamma_z
 * cancels in gamma_eff); +Inf when G(delta) <= G_cr (g = 0, or omega_tilde <= 0,
 * i.e. delta <= -omega_m: no positive S gives gain). */
double pm_reduced_beyond_rwa_S_th(const pm_params *p);
/* n_ss = (gamma_m n_th + Gamma_+) / gamma_eff below threshold; +Inf at or
 * above threshold (gamma_eff <= 0), as pm_reduced_n_ss. */
double pm_reduced_beyond_rwa_n_ss(const pm_params *p);
/* Bloch-Siegert shift of the spin transition with n phonons present [rad/s]:
 *   omega_BS(n) = g^2 (2 n + 1) / (omega_tilde + omega_m),
 * second-order level shifts from the counter-rotating terms (derivation in
 * reduced.c); the JC doublet {|n, up>, |n+1, down>} sees the detuning
 * delta + omega_BS(n + 1/2).  Coherent limit: needs g sqrt(n+1) and gamma_2
 * << omega_tilde + omega_m (neither holds at Table I's operating point: an
 * order-of-magnitude estimate there).  The longitudinal term adds nothing at
 * this order (its shift -(g0 cos theta)^2/omega_m is the same for both spin
 * states); at the next order it dresses the transverse coupling, a relative
 * correction of about (g0 cos theta)^2 (2n+1)/omega_m^2 (tests/theory/test_reduced.c). */
double pm_reduced_beyond_rwa_bloch_siegert(const pm_params *p, double n);

/* ---- Maxwell-Bloch saturation (Eq. 15) ---------------------------------- */

/* n_sat = gamma_1 / (4 G(delta)) = gamma_1 (gamma_2^2 + delta^2) / (4 g^2 gamma_2)
 * (Eq. 15 at delta = 0, B125); +Inf for g = 0. */
double pm_reduced_n_sat(const pm_params *p);
/* n_las = n_sat (S / S_th - 1) above threshold, 0 below   (Eq. 15, B111, B127) */
double pm_reduced_n_las(const pm_params *p);
/* The Maxwell-Bloch ring radius r0 = sqrt(2 n_las) of the Wigner function
 * (Fig. 2c; n ~ r^2/2, erratum 4), 0 below threshold. */
double pm_reduced_ring_radius(const pm_params *p);
/* The same for a given n_las (e.g. from a file's parameters). */
double pm_reduced_ring_radius_of(double n_las);
/* Relaxation rate of the phonon number (intensity) [1/s]: gamma_eff below
 * threshold (Eq. 12); above, the drift of Eq. (18) linearised about n_las,
 * d(dn)/dt = 2 n_las mu'(n_las) dn, gives gamma_m (x - 1)/x with x = S/S_th.
 * Vanishes at threshold (critical slowing down). */
double pm_reduced_intensity_relaxation(const pm_params *p);
/* Inversion of the Maxwell-Bloch steady state: S below threshold, clamped at
 * S_th above (gain clamping, B109; w(n_las) of B107). */
double pm_reduced_clamped_inversion(const pm_params *p);

/* ---- Fokker-Planck / Langevin (Eqs. 16-20) ------------------------------ */

/* D_W = (gamma_m (2 n_th + 1) + Gamma_- + Gamma_+) / 4  [1/s]   (Eq. 17, B122),
 * n_eff of the paper = n_th. */
double pm_reduced_D_W(const pm_params *p);
/* mu(n) = -gamma_m / 2 + G S / (1 + n / n_sat)  [1/s]            (Eq. 18, B126) */
double pm_reduced_mu(const pm_params *p, double n);
/* Phi(r) = (1/D_W) int_0^r mu(s^2/2) s ds, the exponent of Eq. (20)/(B132) in
 * closed form:  Phi(r) = [ -gamma_m r^2 / 4 + (gamma_1 S / 4) ln(1 + r^2/(2 n_sat)) ] / D_W
 * (G S n_sat = gamma_1 S / 4).  Then P_r(r) ~ r exp(Phi(r)), and in n = r^2/2
 * (dn = r dr) the density is P(n) ~ exp(Phi(sqrt(2n))). */
double pm_reduced_fp_exponent(const pm_params *p, double r);

/* Normalised stationary distribution of Eq. (20) and its moments, by
 * quadrature of the closed form (P(n) is smooth and unimodal). */
typedef struct pm_reduced_fp {
    double log_norm;   /* P_r(r) = r exp(Phi(r) - log_norm) */
    double n_mean;     /* <n>_FP = <r^2/2>   (B133) */
    double n2_mean;    /* <(r^2/2)^2> */
    double g2;         /* (<n^2> - <n>) / <n>^2 with n = r^2/2 (the paper's B135 on FP samples) */
    double g2_wigner;  /* the same corrected for symmetric ordering: n_q = r^2/2 - 1/2,
                          <a^dag2 a^2> = <(r^2/2)^2> - 2 <r^2/2> + 1/2 */
    double intensity_ratio; /* <(r^2/2)^2> / <r^2/2>^2 (pi/2 at the threshold of the
                               large-n_sat limit, see compare.h) */
    double r_peak;     /* maximum of P_r(r) */
    double r_mean;     /* <r> */
    double inv_r2_mean; /* <1/r^2>, with r^2 floored at 1 (the vacuum scale) */
} pm_reduced_fp;

/* PM_EINVAL unless gamma_m > 0 (otherwise P(n) is not normalisable). */
pm_status pm_reduced_fp_solve(const pm_params *p, pm_reduced_fp *out);
/* P_r(r), normalised: int_0^inf P_r dr = 1   (Eq. 20, B132) */
double pm_reduced_fp_P_r(const pm_params *p, const pm_reduced_fp *fp, double r);
/* Phase-diffusion rate of the ring (maser linewidth, HWHM of the line in
 * rad/s), from Eqs. (16)-(18); see the derivation in reduced.c:
 *   Gamma_phi = D_W <1/r^2>_FP  (~ D_W / (2 n_las)); above threshold only. */
double pm_reduced_linewidth_fp(const pm_params *p, const pm_reduced_fp *fp);

/* ---- Appendix C: design window -------------------------------------------- */

/* Visibility bound (C1-C5): the coherent component dominates the thermal one,
 * n_las >= n_eff ~ k_B T_eff / (hbar omega_m), if
 *   T_eff <= (hbar omega_m / k_B) (gamma_1 S / (2 gamma_m) - n_sat)      (C3)
 *         = (hbar / k_B) (gamma_1 Q S / 2 - gamma_1 gamma_2 omega_m / (4 g^2))  (C4, C5).
 * C3 is (hbar omega_m / k_B) n_las at delta = 0; for delta != 0 this function
 * uses n_las(delta) (B119).  <= 0: the coherent part cannot dominate. [K] */
double pm_reduced_T_eff_max(const pm_params *p);
/* Leading term at full inversion, (hbar / k_B) gamma_1 Q / 2 with Q = omega_m/gamma_m  (C6) [K] */
double pm_reduced_T_eff_full_inversion(const pm_params *p);

/* Continuous cold damping gamma_cool with bath occupation n_cool (C7):   */
typedef struct pm_reduced_cooling {
    double gamma_tot;      /* gamma_m + gamma_cool                      (C8) [1/s] */
    double n_eff;          /* (gamma_m n_th + gamma_cool n_cool) / gamma_tot (C8) */
    double S_th_tot;       /* gamma_tot (gamma_2^2+delta^2)/(2 g^2 gamma_2) = (1 + gamma_cool/gamma_m) S_th (C9) */
    double product;        /* S_th_tot n_eff; = S_th n_th for n_cool = 0, independent of gamma_cool (C10) */
} pm_reduced_cooling;

/* PM_EINVAL unless gamma_cool >= 0 and n_cool >= 0 (finite). */
pm_status pm_reduced_cold_damping(const pm_params *p, double gamma_cool, double n_cool,
                                  pm_reduced_cooling *out);

/* ---- Table II and the validity of the reduction --------------------------- */

typedef struct pm_reduced_table2 {
    double eta, g;                 /* [1], [rad/s] */
    double S_th;                   /* Eq. 14 (at the parameters' delta) */
    double gamma_opt_max;          /* 2 g^2 / gamma_2  (B114) [1/s] */
    double gamma_opt_max_over_gamma_m;
    double n_sat;                  /* Eq. 15 */
} pm_reduced_table2;

void pm_reduced_table2_row(const pm_params *p, pm_reduced_table2 *row);

/* Ratios that must be small for the elimination to be controlled (B8). */
typedef struct pm_reduced_validity {
    double g_over_gamma_2, g_over_gamma_1;
    double gamma_m_over_gamma_1, gamma_m_over_gamma_2;
    /* not in (B8) but decisive once the mode is populated: the coupling
     * g sqrt(n + 1) of the spin to a field of n phonons, compared with
     * gamma_2 (the second-order rates of Eq. 11 need it << 1; Maxwell-Bloch
     * saturation, n / n_sat = 4 g^2 n / (gamma_1 gamma_2), resums it) */
    double g_sqrt_n_over_gamma_2;
} pm_reduced_validity;

/* n: the phonon number to use in g sqrt(n+1)/gamma_2 (e.g. the exact <n>). */
void pm_reduced_validity_ratios(const pm_params *p, double n, pm_reduced_validity *out);

#ifdef __cplusplus
}
#endif

#endif
