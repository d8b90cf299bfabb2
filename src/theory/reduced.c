/* The reduced theory of the paper, one function per formula (reduced.h). */
#include "phonomaser/theory/reduced.h"
#include "phonomaser/state/state.h"
#include "phonomaser/core/constants.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Populations of the uncoupled spin steady state (Eq. B6 corrected,
 * erratum 1): p_up = gamma_up / gamma_1 = (1 + S)/2, p_down = (1 - S)/2.
 * Written through S so that gamma_1 = 0 (S given directly) works too. */
static double p_up(const pm_params *p) { return (1.0 + p->S) / 2.0; }
static double p_down(const pm_params *p) { return (1.0 - p->S) / 2.0; }

/* L(x) = gamma_2 / (gamma_2^2 + x^2) [s]: the line shape of the dressed spin's
 * transverse response at a frequency mismatch x, pi times the normalised
 * Lorentzian of half-width gamma_2 (2 Re of int_0^inf e^{(i x - gamma_2) tau} dtau
 * is 2 L(x)).  Used at x = delta (co-rotating, Eq. 18) and at
 * x = omega_tilde + omega_m (counter-rotating, beyond the RWA). */
static double lorentzian(const pm_params *p, double x) { return p->gamma_2 / (p->gamma_2 * p->gamma_2 + x * x); }

/* ---- adiabatic elimination ------------------------------------------------ */

double pm_reduced_G(const pm_params *p)
{
    /* Eq. (18), (B123): g^2 L(delta) */
    return p->g * p->g * lorentzian(p, p->delta);
}

double pm_reduced_gamma_minus(const pm_params *p)
{
    return 2.0 * pm_reduced_G(p) * p_down(p); /* Eq. (11), (B85) */
}

double pm_reduced_gamma_plus(const pm_params *p)
{
    return 2.0 * pm_reduced_G(p) * p_up(p); /* Eq. (11), (B85) */
}

double pm_reduced_gamma_opt(const pm_params *p)
{
    return -2.0 * pm_reduced_G(p) * p->S; /* Eq. (13), (B87) */
}

double pm_reduced_gamma_eff(const pm_params *p)
{
    return p->gamma_m + pm_reduced_gamma_opt(p); /* Eq. (12), (B91) */
}

double pm_reduced_S_th(const pm_params *p)
{
    /* Eq. (14), (B94): gamma_eff(S_th) = 0 */
    double G = pm_reduced_G(p);
    return G > 0 ? p->gamma_m / (2.0 * G) : INFINITY;
}

double pm_reduced_gamma_opt_max(const pm_params *p)
{
    return 2.0 * p->g * p->g / p->gamma_2; /* (B114) */
}

/* Lamb shift, sign derived here (erratum 3 of physics-notes.md).
 *
 * The model is solved in the frame rotating at omega_m, H = (delta/2)
 * sigma_z + g (a sigma_+ + a^dag sigma_-), delta = omega_tilde - omega_m.
 * Heisenberg equations (dO/dt = i[H, O] + dissipation):
 *   d<a>/dt       = -(gamma_m/2) <a> - i g <sigma_->,
 *   d<sigma_->/dt = -(gamma_2 + i delta) <sigma_-> + i g <a sigma_z>.
 * Eliminating the fast spin coherence with <a sigma_z> ~ S <a> (the spin
 * stays near rho_s^(0), second order in g) gives
 *   <sigma_-> = i g S <a> / (gamma_2 + i delta),
 *   d<a>/dt   = [-gamma_m/2 + g^2 S / (gamma_2 + i delta)] <a>
 *             = [-gamma_eff/2 - i g^2 S delta / (gamma_2^2 + delta^2)] <a>.
 * The reduced equation (10) gives d<a>/dt = (-gamma_eff/2 - i delta_omega) <a>
 * in this frame (its H_LS = delta_omega a^dag a), hence
 *   delta_omega = + g^2 S delta / (gamma_2^2 + delta^2) = G S delta / gamma_2,
 * the opposite sign of the paper's (B95), which follows from the e^{-i delta tau}
 * convention of (B63) inserted in (B82).  Physically: a spin in its lower
 * state (S = -1) tuned above the mode (delta > 0) repels the mode frequency
 * downwards (level repulsion, dispersive shift -g^2/delta for |delta| >> gamma_2).
 * The exact Liouvillian confirms it: <a> lives in the k = +1 sector
 * (state.h), <a>(t) ~ e^{lambda t} for its slowest eigenvalue lambda, so the
 * exact shift is -Im(lambda) (compare.c); tests/drivers/test_compare.c checks that
 * -Im(lambda) has this sign and converges to this value as g/gamma_2 -> 0. */
double pm_reduced_lamb_shift(const pm_params *p)
{
    return pm_reduced_G(p) * p->S * p->delta / p->gamma_2;
}

double pm_reduced_n_ss(const pm_params *p)
{
    /* (B92) */
    double gamma_eff = pm_reduced_gamma_eff(p);
    if (!(gamma_eff > 0)) return INFINITY;
    return (p->gamma_m * p->n_th + pm_reduced_gamma_plus(p)) / gamma_eff;
}

/* ---- beyond the rotating-wave approximation ------------------------------------
 *
 * Derivation (second order in the coupling; checked against, and in agreement
 * with, the last section of physics-notes.md).
 * Lab frame: H = H_m + H_s + X B with H_m = omega_m a^dag a, H_s = (omega_tilde/2)
 * sigma_z, X = a + a^dag, and the spin operator
 *   B = g0 (cos theta sigma_z + sin theta sigma_x) = g_z sigma_z + g (sigma_+ + sigma_-),
 *   g_z = g0 cos theta,  g = g0 sin theta.
 * Free evolution: a(t) = a e^{-i omega_m t}, sigma_-(t) = sigma_- e^{-i omega_tilde t},
 * sigma_+(t) = sigma_+ e^{+i omega_tilde t}.  So a sigma_+ and a^dag sigma_- turn as
 * e^{+-i delta t} (the JC part the RWA keeps), a sigma_- and a^dag sigma_+ as
 * e^{-+i (omega_tilde + omega_m) t} (counter-rotating), a sigma_z and a^dag sigma_z as
 * e^{-+i omega_m t} (longitudinal).
 *
 * The spin (gamma_1, gamma_2 >> g, gamma_m: B8) is a bath for the mode.  Born-Markov
 * with the spin in its uncoupled steady state rho_s = p_up |up><up| + p_down
 * |down><down|, and the secular approximation for the mode (rates << omega_m; it
 * drops the terms in a a, a^dag a^dag that turn at 2 omega_m), give
 *   gamma_m (n_th + 1) D[a] + gamma_m n_th D[a^dag] + Gamma_- D[a] + Gamma_+ D[a^dag]
 * plus a Hamiltonian frequency shift of the mode (not computed here), with
 *   Gamma_-+ = S_B(+-omega_m),
 *   S_B(w) = int_{-inf}^{inf} e^{i w tau} <dB(tau) dB(0)> dtau
 *          = 2 Re int_0^inf e^{i w tau} <dB(tau) dB(0)> dtau
 * (the rate gamma(w) of D[A(w)] with A(omega_m) = a, A(-omega_m) = a^dag in the
 * weak-coupling limit, Breuer and Petruccione, The Theory of Open Quantum Systems,
 * Sec. 3.3.1; w > 0 is energy taken up by the spin: Gamma_- removes phonons).
 * dB = B - <B>: the mean <B> = g_z S is a static force g_z S (a + a^dag) that
 * displaces the mode and gives no rate.
 * Correlations by the quantum regression theorem, tau > 0, spin dissipators (8)-(9):
 *  - sigma_-(0) rho_s = p_up |down><up|, a coherence; d rho_du/dt = -i (E_down - E_up)
 *    rho_du - gamma_2 rho_du, so it evolves as e^{(+i omega_tilde - gamma_2) tau} and
 *    <sigma_+(tau) sigma_-(0)> = p_up e^{(i omega_tilde - gamma_2) tau}; likewise
 *    <sigma_-(tau) sigma_+(0)> = p_down e^{(-i omega_tilde - gamma_2) tau};
 *    <sigma_+(tau) sigma_+(0)> = <sigma_-(tau) sigma_-(0)> = 0.
 *  - sigma_z(0) rho_s is diagonal; populations relax at gamma_1 = gamma_up +
 *    gamma_down (pure dephasing does not act on them) towards trace x rho_s, so
 *    <sigma_z(tau) sigma_z(0)> = S^2 + (1 - S^2) e^{-gamma_1 tau}: the connected
 *    part has variance <sigma_z^2> - S^2 = 1 - S^2 and decays at gamma_1.
 *  - cross terms sigma_z / sigma_+- vanish: a coherence evolves into coherences
 *    (no sigma_z), a diagonal operator into diagonal ones (no sigma_+-).
 * With 2 Re int_0^inf e^{(i x - gamma) tau} dtau = 2 gamma / (gamma^2 + x^2):
 *   S_B(w) = 2 g^2 [p_up L(w + omega_tilde) + p_down L(w - omega_tilde)]
 *            + 2 g_z^2 (1 - S^2) gamma_1 / (gamma_1^2 + w^2).
 * At w = +omega_m and -omega_m (L is even, omega_tilde - omega_m = delta):
 *   Gamma_- = 2 g^2 [p_down L(delta) + p_up L(omega_tilde + omega_m)] + Gamma_z,
 *   Gamma_+ = 2 g^2 [p_up L(delta) + p_down L(omega_tilde + omega_m)] + Gamma_z,
 *   Gamma_z = 2 g_z^2 (1 - S^2) gamma_1 / (gamma_1^2 + omega_m^2).
 * The pairings are the physical ones: a spin in |down> absorbs a phonon
 * resonantly (a sigma_+, mismatch delta); a spin in |up> absorbs one only while
 * dropping to |down> (a sigma_-, mismatch omega_tilde + omega_m); sigma_z commutes
 * with H_s, so its noise is classical (telegraph), even in w: it heats and does
 * not damp.  The terms in L(delta) are Gamma_-+ of Eq. (11), G = g^2 L(delta).
 * Rate equation: d<n>/dt = -(gamma_m + Gamma_- - Gamma_+) <n> + gamma_m n_th + Gamma_+,
 * hence gamma_eff and n_ss (as B91, B92); in gamma_eff = gamma_m - 2 S g^2 [L(delta)
 * - L(omega_tilde + omega_m)] Gamma_z cancels, so the threshold stays linear in S:
 * S_th = gamma_m / (2 (G - G_cr)).
 * Check against the exact model (tests/theory/test_reduced.c, QuTiP steady states of Eq. 5 at
 * eta = 0.02): n_ss agrees to 0.3 % at theta = pi/2, 1, 0.6 and delta = 0, 300 rad/s,
 * where the RWA's (B92) is off by 13-150 %. */

double pm_reduced_beyond_rwa_omega_sum(const pm_params *p)
{
    return (p->omega_m + p->delta) + p->omega_m; /* omega_tilde + omega_m */
}

double pm_reduced_beyond_rwa_G_counter(const pm_params *p)
{
    return p->g * p->g * lorentzian(p, pm_reduced_beyond_rwa_omega_sum(p));
}

double pm_reduced_beyond_rwa_gamma_z(const pm_params *p)
{
    /* g_z = g0 cos theta with g0 = g / sin theta; 1 - S^2 = 4 p_up p_down is the
     * variance of sigma_z, gamma_1 / (gamma_1^2 + omega_m^2) its line at omega_m.
     * cos theta written as sin(pi/2 - theta): exactly 0 at the default theta = pi/2
     * (cos(PM_PI/2) is 6e-17) */
    double g_z = p->g / sin(p->theta) * sin(PM_PI / 2 - p->theta);
    return 2.0 * g_z * g_z * 4.0 * p_up(p) * p_down(p) * p->gamma_1 /
           (p->gamma_1 * p->gamma_1 + p->omega_m * p->omega_m);
}

double pm_reduced_beyond_rwa_gamma_minus(const pm_params *p)
{
    return pm_reduced_gamma_minus(p) + 2.0 * pm_reduced_beyond_rwa_G_counter(p) * p_up(p) +
           pm_reduced_beyond_rwa_gamma_z(p);
}

double pm_reduced_beyond_rwa_gamma_plus(const pm_params *p)
{
    return pm_reduced_gamma_plus(p) + 2.0 * pm_reduced_beyond_rwa_G_counter(p) * p_down(p) +
           pm_reduced_beyond_rwa_gamma_z(p);
}

double pm_reduced_beyond_rwa_gamma_eff(const pm_params *p)
{
    return p->gamma_m + pm_reduced_beyond_rwa_gamma_minus(p) - pm_reduced_beyond_rwa_gamma_plus(p);
}

double pm_reduced_beyond_rwa_S_th(const pm_params *p)
{
    /* gamma_eff(S_th) = 0 with gamma_eff = gamma_m - 2 S (G - G_cr); G <= G_cr only
     * for g = 0 or |delta| >= |omega_tilde + omega_m|, i.e. omega_tilde <= 0 */
    double gain = pm_reduced_G(p) - pm_reduced_beyond_rwa_G_counter(p);
    return gain > 0 ? p->gamma_m / (2.0 * gain) : INFINITY;
}

double pm_reduced_beyond_rwa_n_ss(const pm_params *p)
{
    double gamma_eff = pm_reduced_beyond_rwa_gamma_eff(p);
    if (!(gamma_eff > 0)) return INFINITY;
    return (p->gamma_m * p->n_th + pm_reduced_beyond_rwa_gamma_plus(p)) / gamma_eff;
}

/* Bloch-Siegert shift.  Split H = H_0 + V_JC + V_cr + V_z with H_0 = H_m + H_s,
 * V_cr = g (a sigma_- + a^dag sigma_+), V_z = g_z (a + a^dag) sigma_z.  V_cr takes
 * |n, up> only to |n-1, down> (element g sqrt(n), energy lower by omega_tilde +
 * omega_m) and |n, down> only to |n+1, up> (g sqrt(n+1), higher by omega_tilde +
 * omega_m).  Second-order (Rayleigh-Schroedinger) shifts, Sigma = omega_tilde + omega_m:
 *   E(n, up) += g^2 n / Sigma,   E(n, down) -= g^2 (n + 1) / Sigma,
 * so the spin transition with n phonons moves up by g^2 (2n + 1) / Sigma.  Checks:
 * n = 0 is the vacuum Bloch-Siegert shift g^2/(omega_q + omega_r) of the Rabi model;
 * for n >> 1 with the Rabi frequency Omega = 2 g sqrt(n) it is the textbook
 * Omega^2 / (2 (omega_0 + omega)).  The JC doublet {|n, up>, |n+1, down>} has its
 * detuning E(n, up) - E(n+1, down) = delta + g^2 (2n + 2) / Sigma = delta +
 * omega_BS(n + 1/2).  V_z takes |n, s> to |n+-1, s> (elements g_z s sqrt(n+1),
 * g_z s sqrt(n)) and shifts it by g_z^2 [n - (n + 1)] / omega_m = -g_z^2 / omega_m for
 * both s (s^2 = 1): no spin-frequency shift at this order; V_cr and V_z reach
 * different intermediate states, so no cross term.  Not included: dissipation (the
 * estimate needs gamma_2 << Sigma besides g sqrt(n+1) << Sigma), and the mean-field
 * shift -4 g_z^2 S / omega_m from the static displacement of the mode by <sigma_z>
 * (it matters when the spin flips faster than the mode follows, gamma_1 >~ omega_m).
 * tests/theory/test_reduced.c compares with the exact eigenvalues of H_0 + V_cr (2x2 blocks). */
double pm_reduced_beyond_rwa_bloch_siegert(const pm_params *p, double n)
{
    return p->g * p->g * (2.0 * n + 1.0) / pm_reduced_beyond_rwa_omega_sum(p);
}

/* ---- Maxwell-Bloch ----------------------------------------------------------- */

double pm_reduced_n_sat(const pm_params *p)
{
    /* Eq. (15), (B125): n_sat = gamma_1 / (4 G(delta)) */
    double G = pm_reduced_G(p);
    return G > 0 ? p->gamma_1 / (4.0 * G) : INFINITY;
}

double pm_reduced_n_las(const pm_params *p)
{
    /* Eq. (15), (B111), (B127) */
    double S_th = pm_reduced_S_th(p);
    if (!(p->S > S_th)) return 0.0;
    return pm_reduced_n_sat(p) * (p->S / S_th - 1.0);
}

double pm_reduced_ring_radius_of(double n_las) { return sqrt(2.0 * n_las); }

double pm_reduced_ring_radius(const pm_params *p) { return pm_reduced_ring_radius_of(pm_reduced_n_las(p)); }

double pm_reduced_intensity_relaxation(const pm_params *p)
{
    /* below: Eq. (12); above: 2 n mu'(n) at n_las = gamma_m (x - 1)/x, from
     * mu'(n) = -G S / (n_sat (1 + n/n_sat)^2) and 1 + n_las/n_sat = x */
    double x = p->S / pm_reduced_S_th(p);
    return x > 1.0 ? p->gamma_m * (x - 1.0) / x : pm_reduced_gamma_eff(p);
}

double pm_reduced_clamped_inversion(const pm_params *p)
{
    /* (B109): above threshold the inversion is clamped at S_th */
    double S_th = pm_reduced_S_th(p);
    return p->S > S_th ? S_th : p->S;
}

/* ---- Fokker-Planck -------------------------------------------------------------- */

double pm_reduced_D_W(const pm_params *p)
{
    /* Eq. (17), (B122) */
    return (p->gamma_m * (2.0 * p->n_th + 1.0) + pm_reduced_gamma_minus(p) + pm_reduced_gamma_plus(p)) / 4.0;
}

double pm_reduced_mu(const pm_params *p, double n)
{
    /* Eq. (18), (B126) */
    double n_sat = pm_reduced_n_sat(p);
    return -p->gamma_m / 2.0 + pm_reduced_G(p) * p->S / (1.0 + n / n_sat);
}

/* F(n) = Phi(sqrt(2 n)): the log of P(n) = P_r(r) / r up to normalisation. */
static double fp_log_density(const pm_params *p, double n, double D_W, double n_sat)
{
    /* Eq. (20)/(B132): int_0^r mu(s^2/2) s ds = -gamma_m r^2/4 + G S n_sat ln(1 + r^2/(2 n_sat)),
     * and G n_sat = gamma_1 / 4; the log term -> 0 as n_sat -> 0 */
    /* the gain term vanishes for G = 0 (n_sat = inf) and for gamma_1 = 0
     * (n_sat = 0: mu = -gamma_m/2 for every n > 0) */
    double saturation = n_sat > 0 && isfinite(n_sat) ? (p->gamma_1 * p->S / 4.0) * log1p(n / n_sat) : 0.0;
    return (-p->gamma_m * n / 2.0 + saturation) / D_W;
}

double pm_reduced_fp_exponent(const pm_params *p, double r)
{
    return fp_log_density(p, r * r / 2.0, pm_reduced_D_W(p), pm_reduced_n_sat(p));
}

/* The moments of exp(F(n) - F_max): 1, n, n^2, sqrt(2n) and 1/r^2 = 1/max(2n, 1). */
enum { FP_MOMENTS = 5 };
typedef struct fp_quadrature {
    const pm_params *p;
    double D_W, n_sat, f_max;
    double tol[FP_MOMENTS]; /* absolute error allowed per moment */
    long evaluations;
} fp_quadrature;

static void fp_integrand(fp_quadrature *q, double n, double out[FP_MOMENTS])
{
    double e = exp(fp_log_density(q->p, n, q->D_W, q->n_sat) - q->f_max);
    out[0] = e;
    out[1] = e * n;
    out[2] = e * n * n;
    out[3] = e * sqrt(2.0 * n);
    out[4] = e / (2.0 * n > 1.0 ? 2.0 * n : 1.0); /* 1/r^2, r^2 >= 1 (vacuum scale) */
    q->evaluations++;
}

/* Adaptive Simpson on [a, b] (fa, fm, fb at a, (a+b)/2, b; `whole` the
 * Simpson estimate), adding into sum: halves until every moment's
 * Richardson error estimate is within its share of the tolerance. */
static void fp_adaptive(fp_quadrature *q, double a, double b, const double *fa, const double *fm, const double *fb,
                        const double *whole, double share, int depth, double *sum)
{
    double m = 0.5 * (a + b), fl[FP_MOMENTS], fr[FP_MOMENTS], left[FP_MOMENTS], right[FP_MOMENTS];
    fp_integrand(q, 0.5 * (a + m), fl);
    fp_integrand(q, 0.5 * (m + b), fr);
    int converged = 1;
    for (int k = 0; k < FP_MOMENTS; k++) {
        left[k] = (m - a) / 6.0 * (fa[k] + 4.0 * fl[k] + fm[k]);
        right[k] = (b - m) / 6.0 * (fm[k] + 4.0 * fr[k] + fb[k]);
        if (fabs(left[k] + right[k] - whole[k]) > 15.0 * share * q->tol[k]) converged = 0;
    }
    if (converged || depth >= 40 || q->evaluations > 20000000) {
        for (int k = 0; k < FP_MOMENTS; k++) sum[k] += left[k] + right[k] + (left[k] + right[k] - whole[k]) / 15.0;
        return;
    }
    fp_adaptive(q, a, m, fa, fl, fm, left, share / 2, depth + 1, sum);
    fp_adaptive(q, m, b, fm, fr, fb, right, share / 2, depth + 1, sum);
}

/* The moments over [a, b] (a < b), split into `pieces` equal parts first. */
static void fp_integrate(fp_quadrature *q, double a, double b, int pieces, double *sum)
{
    for (int j = 0; j < pieces; j++) {
        double lo = a + (b - a) * j / pieces, hi = a + (b - a) * (j + 1) / pieces;
        double fa[FP_MOMENTS], fm[FP_MOMENTS], fb[FP_MOMENTS], whole[FP_MOMENTS];
        fp_integrand(q, lo, fa);
        fp_integrand(q, 0.5 * (lo + hi), fm);
        fp_integrand(q, hi, fb);
        for (int k = 0; k < FP_MOMENTS; k++) whole[k] = (hi - lo) / 6.0 * (fa[k] + 4.0 * fm[k] + fb[k]);
        fp_adaptive(q, lo, hi, fa, fm, fb, whole, 1.0 / pieces, 0, sum);
    }
}

/* The moments of P(n) ~ exp(F(n)) on [n_lo, n_hi], where the density is
 * smooth, unimodal, and negligible outside: a composite Simpson grid finds
 * the peak of P_r and first estimates; then adaptive Simpson (breakpoints at
 * the kink of 1/r^2 at n = 1/2 and at the peak) computes the moments to
 * 1e-12 of each.  The uniform grid alone was too coarse near r = 0 for
 * <1/r^2> when the peak is far out (2e-3 off at S = 0.05, delta = -300,
 * eta = 0.25; tests/theory/test_reduced.c). */
pm_status pm_reduced_fp_solve(const pm_params *p, pm_reduced_fp *out)
{
    memset(out, 0, sizeof *out);
    double D_W = pm_reduced_D_W(p), n_sat = pm_reduced_n_sat(p);
    if (!(p->gamma_m > 0) || !(D_W > 0) || !isfinite(D_W))
        return pm_error_set(PM_EINVAL, "Fokker-Planck distribution (Eq. 20): needs gamma_m > 0 and a finite "
                            "D_W > 0 (gamma_m = %g, D_W = %g); without mechanical damping it is not "
                            "normalisable", p->gamma_m, D_W);
    /* peak of P(n): F'(n) = 0 at n = gamma_1 S / (2 gamma_m) - n_sat = n_las */
    double n_peak = isfinite(n_sat) ? p->gamma_1 * p->S / (2.0 * p->gamma_m) - n_sat : 0.0;
    if (!(n_peak > 0)) n_peak = 0.0;
    /* local scale at the peak: 1 / (|F'| + sqrt|F''|) (a Gaussian width when
     * the peak is interior, an exponential decay length when it is at n = 0) */
    double gain = n_sat > 0 && isfinite(n_sat) ? p->gamma_1 * p->S / 4.0 : 0.0;
    double slope = (-p->gamma_m / 2.0 + (gain != 0 ? gain / (n_sat + n_peak) : 0.0)) / D_W;
    double curvature = gain != 0 ? gain / ((n_sat + n_peak) * (n_sat + n_peak)) / D_W : 0.0;
    double width = 1.0 / (fabs(slope) + sqrt(fabs(curvature)));
    double f_max = fp_log_density(p, n_peak, D_W, n_sat);
    double reach = 10.0 * width;
    while (fp_log_density(p, n_peak + reach, D_W, n_sat) - f_max > -60.0 && reach < 1e15) reach *= 2.0;
    double n_hi = n_peak + reach;
    reach = 10.0 * width;
    while (n_peak - reach > 0 && fp_log_density(p, n_peak - reach, D_W, n_sat) - f_max > -60.0) reach *= 2.0;
    double n_lo = n_peak - reach > 0 ? n_peak - reach : 0.0;
    /* panels: 200 per width (Simpson error ~ (1/200)^4), at least 4000, at most 4e6 */
    double h_target = width / 200.0;
    double panels = ceil((n_hi - n_lo) / h_target);
    if (panels < 4000) panels = 4000;
    if (panels > 4e6) panels = 4e6;
    long m = 2 * (long)(panels / 2);
    double h = (n_hi - n_lo) / (double)m;
    double s0 = 0, s1 = 0, s2 = 0, sr = 0, sinv = 0;
    double best = -INFINITY, best_n = n_lo;
    for (long k = 0; k <= m; k++) {
        double n = n_lo + h * (double)k;
        double f = fp_log_density(p, n, D_W, n_sat) - f_max;
        double w = (k == 0 || k == m) ? 1.0 : (k % 2 ? 4.0 : 2.0);
        double e = exp(f);
        s0 += w * e;
        s1 += w * e * n;
        s2 += w * e * n * n;
        sr += w * e * sqrt(2.0 * n);
        sinv += w * e / (2.0 * n > 1.0 ? 2.0 * n : 1.0); /* 1/r^2, r^2 >= 1 (vacuum scale) */
        /* P_r ~ r exp(F): its log is F + ln(2n)/2 */
        double log_pr = n > 0 ? f + 0.5 * log(2.0 * n) : -INFINITY;
        if (log_pr > best) best = log_pr, best_n = n;
    }
    s0 *= h / 3.0, s1 *= h / 3.0, s2 *= h / 3.0, sr *= h / 3.0, sinv *= h / 3.0;
    fp_quadrature q = {.p = p, .D_W = D_W, .n_sat = n_sat, .f_max = f_max};
    const double coarse[FP_MOMENTS] = {s0, s1, s2, sr, sinv};
    for (int k = 0; k < FP_MOMENTS; k++) q.tol[k] = 1e-12 * fabs(coarse[k]);
    double sum[FP_MOMENTS] = {0};
    double breaks[4] = {n_lo};
    int nb = 1;
    if (0.5 > n_lo && 0.5 < n_hi) breaks[nb++] = 0.5;
    if (n_peak > breaks[nb - 1] && n_peak < n_hi) breaks[nb++] = n_peak;
    breaks[nb++] = n_hi;
    for (int j = 0; j + 1 < nb; j++) fp_integrate(&q, breaks[j], breaks[j + 1], 64, sum);
    if (isfinite(sum[0]) && sum[0] > 0) s0 = sum[0], s1 = sum[1], s2 = sum[2], sr = sum[3], sinv = sum[4];
    out->log_norm = f_max + log(s0);
    out->n_mean = s1 / s0;
    out->n2_mean = s2 / s0;
    out->r_mean = sr / s0;
    out->inv_r2_mean = sinv / s0;
    out->g2 = pm_g2_from_moments(out->n_mean, out->n2_mean);
    double nq = out->n_mean - 0.5;
    out->g2_wigner = (out->n2_mean - 2.0 * out->n_mean + 0.5) / (nq * nq);
    out->intensity_ratio = out->n2_mean / (out->n_mean * out->n_mean);
    /* refine the peak of P_r: d/dn [F + ln(2n)/2] = F'(n) + 1/(2n) = 0, decreasing near the grid maximum */
    double a = best_n - h > 0 ? best_n - h : 1e-300, b = best_n + h;
    for (int it = 0; it < 200 && b - a > 1e-13 * b; it++) {
        double c = 0.5 * (a + b);
        double d_log = (-p->gamma_m / 2.0 + (gain != 0 ? gain / (n_sat + c) : 0.0)) / D_W + 0.5 / c;
        if (d_log > 0) a = c;
        else b = c;
    }
    out->r_peak = sqrt(2.0 * 0.5 * (a + b));
    if (!isfinite(out->n_mean) || !isfinite(out->n2_mean))
        return pm_error_set(PM_ENUMERIC, "Fokker-Planck moments are not finite (<n> = %g); the "
                            "parameters are outside the range where Eq. (20) can be integrated", out->n_mean);
    return PM_OK;
}

double pm_reduced_fp_P_r(const pm_params *p, const pm_reduced_fp *fp, double r)
{
    if (!(r > 0)) return 0.0;
    return r * exp(pm_reduced_fp_exponent(p, r) - fp->log_norm);
}

/* Phase diffusion from Eqs. (16)-(18).
 *
 * In polar coordinates z + i p = r e^{i phi}, the drift of Eq. (16) is
 * radial (mu(r^2/2) r) plus the rotation Omega_m, and the isotropic
 * diffusion D_W (d_z^2 + d_p^2) = D_W [r^-1 d_r (r d_r) + r^-2 d_phi^2].  The
 * amplitude <a> = <r e^{i phi}>/sqrt(2) is carried by the angular harmonic
 * W_1(r) e^{i phi}, which obeys  d_t W_1 = (L_r - D_W/r^2 - i Omega_m) W_1,
 * with L_r the radial operator whose zero mode is the stationary P_ss.
 * Above threshold the radial relaxation (rate 2 n |mu'(n)| = gamma_m (S/S_th
 * - 1)/(S/S_th) at n_las) is fast compared with D_W/r^2, and first-order
 * perturbation theory (left zero mode 1, right zero mode P_ss) gives the
 * slowest eigenvalue  lambda = -D_W <1/r^2> - i Omega_m:
 *   Gamma_phi = D_W <1/r^2>_FP  (~ D_W / (2 n_las) for a ring narrow
 * compared with its radius; the Jensen correction <1/r^2> - 1/<r^2> is
 * 2.7% at the Table I operating point and is confirmed by the exact
 * eigenvalue).  <1/r^2> diverges logarithmically at r -> 0 when P_ss(0) > 0,
 * i.e. below threshold, where the formula does not apply; r^2 is floored at
 * 1 (the vacuum scale, where the phase is undefined), which changes nothing
 * above threshold.
 * The same follows from the tangential random walk: Var(r0 dphi) = 2 D_W dt,
 * so <dphi^2> = 2 (D_W / r0^2) t and <e^{i(phi(t) - phi(0))}> = e^{-D_W t / r0^2},
 * with r0^2 = 2 n_las.  <a(t)> and <a^dag(t) a(0)> decay at Gamma_phi: it is
 * the half width at half maximum of the maser line in rad/s (FWHM 2 Gamma_phi),
 * to be compared with -Re(lambda) of the slowest exact k = 1 eigenvalue.
 * Below threshold radial and angular motion do not separate (D_W / <r^2>
 * would give gamma_eff/4, half the true amplitude damping gamma_eff/2: the
 * usual factor 2 between the linewidths below and above a laser threshold). */
double pm_reduced_linewidth_fp(const pm_params *p, const pm_reduced_fp *fp)
{
    return pm_reduced_D_W(p) * fp->inv_r2_mean;
}

/* ---- Appendix C ------------------------------------------------------------------ */

double pm_reduced_T_eff_max(const pm_params *p)
{
    /* (C3): (hbar omega_m / k_B)(gamma_1 S / (2 gamma_m) - n_sat), which is
     * (hbar omega_m / k_B) n_las at delta = 0 (C2); C4, C5 rewrite it with
     * gamma_m = omega_m / Q and g = eta omega_m.  Below threshold the
     * bracket is negative: no temperature makes the coherent part dominate. */
    double S_th = pm_reduced_S_th(p);
    double n_excess = pm_reduced_n_sat(p) * (p->S / S_th - 1.0); /* n_las, negative below threshold */
    return PM_HBAR_OVER_KB * p->omega_m * n_excess;
}

double pm_reduced_T_eff_full_inversion(const pm_params *p)
{
    /* (C6): (hbar / k_B) gamma_1 Q / 2, Q = omega_m / gamma_m */
    return PM_HBAR_OVER_KB * p->gamma_1 * (p->omega_m / p->gamma_m) / 2.0;
}

pm_status pm_reduced_cold_damping(const pm_params *p, double gamma_cool, double n_cool,
                                  pm_reduced_cooling *out)
{
    memset(out, 0, sizeof *out);
    if (!(gamma_cool >= 0) || !isfinite(gamma_cool) || !(n_cool >= 0) || !isfinite(n_cool))
        return pm_error_set(PM_EINVAL, "cold damping: gamma_cool = %g [1/s] and n_cool = %g must be finite "
                            "and >= 0", gamma_cool, n_cool);
    out->gamma_tot = p->gamma_m + gamma_cool;                                     /* (C8) */
    out->n_eff = (p->gamma_m * p->n_th + gamma_cool * n_cool) / out->gamma_tot;   /* (C8) */
    out->S_th_tot = out->gamma_tot / (2.0 * pm_reduced_G(p));                      /* (C9) */
    out->product = out->S_th_tot * out->n_eff;                                     /* (C10) */
    return PM_OK;
}

/* ---- Table II and validity ---------------------------------------------------------- */

void pm_reduced_table2_row(const pm_params *p, pm_reduced_table2 *row)
{
    row->eta = p->omega_m > 0 ? p->g / p->omega_m : NAN;
    row->g = p->g;
    row->S_th = pm_reduced_S_th(p);
    row->gamma_opt_max = pm_reduced_gamma_opt_max(p);
    row->gamma_opt_max_over_gamma_m = row->gamma_opt_max / p->gamma_m;
    row->n_sat = pm_reduced_n_sat(p);
}

void pm_reduced_validity_ratios(const pm_params *p, double n, pm_reduced_validity *out)
{
    /* (B8): gamma_1, gamma_2 >> g and >> gamma_m */
    out->g_over_gamma_2 = p->g / p->gamma_2;
    out->g_over_gamma_1 = p->g / p->gamma_1;
    out->gamma_m_over_gamma_1 = p->gamma_m / p->gamma_1;
    out->gamma_m_over_gamma_2 = p->gamma_m / p->gamma_2;
    out->g_sqrt_n_over_gamma_2 = p->g * sqrt((n > 0 ? n : 0) + 1.0) / p->gamma_2;
}
